using Nocturne.Grains.Interfaces.Authorization;

namespace Nocturne.Grains.Authorization;

/// <summary>The roles every Nightscout site starts with (reference: lib/authorization/storage.js).</summary>
public static class BuiltInRoles
{
    public static IReadOnlyList<AuthRole> All { get; } =
    [
        Role("admin", "*"),
        Role("denied"),
        Role("status-only", "api:status:read"),
        Role("readable", "*:*:read"),
        Role("careportal", "api:treatments:create"),
        Role("devicestatus-upload", "api:devicestatus:create"),
        Role("activity", "api:activity:create"),
    ];

    private static AuthRole Role(string name, params string[] permissions) =>
        new($"builtin-{name}", name, permissions, "Built-in role", BuiltIn: true);
}
