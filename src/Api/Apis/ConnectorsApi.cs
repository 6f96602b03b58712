using Nocturne.Api.Authorization;
using Nocturne.Api.Errors;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Interfaces.Authorization;
using Nocturne.Grains.Interfaces.Connectors;

namespace Nocturne.Api.Apis;

/// <summary>
/// v4 connectors: a site's pulls from vendor clouds (Dexcom Share, LibreLinkUp, another
/// Nightscout). Status needs read permission; configuring, testing, syncing and removing need
/// <c>api:connectors:admin</c> (the admin role). The operator sees counts across sites.
/// </summary>
public static class ConnectorsApi
{
    public const string ReadPermission = "api:connectors:read";
    public const string AdminPermission = "api:connectors:admin";

    public static IEndpointRouteBuilder MapConnectorsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v4/connectors").WithTags("API v4 connectors");

        group.MapGet("/", async (HttpContext http, IGrainFactory grains) =>
        {
            var statuses = await Task.WhenAll(ConnectorKinds.All.Select(kind => Grain(grains, http, kind).GetStatusAsync()));
            return TypedResults.Json(statuses);
        }).RequirePermission(ReadPermission);

        group.MapGet("/{kind}", async (string kind, HttpContext http, IGrainFactory grains) =>
            UnknownKind(kind) ?? TypedResults.Json(await Grain(grains, http, kind).GetStatusAsync()))
            .RequirePermission(ReadPermission);

        group.MapPut("/{kind}", async (string kind, ConnectorRequest? body, HttpContext http, IGrainFactory grains) =>
        {
            if (UnknownKind(kind) is { } unknown)
            {
                return unknown;
            }

            if (body is null)
            {
                return NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", "Body must be a JSON object with the connector's settings");
            }

            var settings = new ConnectorSettings(body.Enabled ?? true, body.Username, body.Password, body.Region, body.Url, body.Token, body.PatientId,
                body.IntervalSeconds, body.BackfillDays, body.TimeZone);
            var result = await Grain(grains, http, kind).ConfigureAsync(settings);
            return result.Status == ChangeStatus.Done ? TypedResults.Json(result.Value!) : result.ToV1Error();
        }).RequirePermission(AdminPermission);

        group.MapDelete("/{kind}", async (string kind, HttpContext http, IGrainFactory grains) =>
        {
            if (UnknownKind(kind) is { } unknown)
            {
                return unknown;
            }

            return await Grain(grains, http, kind).RemoveAsync()
                ? TypedResults.Json(new { removed = kind })
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No {kind} connector configured");
        }).RequirePermission(AdminPermission);

        group.MapPost("/{kind}/test", async (string kind, HttpContext http, IGrainFactory grains) =>
        {
            if (UnknownKind(kind) is { } unknown)
            {
                return unknown;
            }

            var grain = Grain(grains, http, kind);
            return (await grain.GetStatusAsync()).Configured
                ? TypedResults.Json(await grain.TestAsync())
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No {kind} connector configured");
        }).RequirePermission(AdminPermission);

        group.MapPost("/{kind}/sync", async (string kind, bool? full, HttpContext http, IGrainFactory grains) =>
        {
            if (UnknownKind(kind) is { } unknown)
            {
                return unknown;
            }

            var grain = Grain(grains, http, kind);
            return (await grain.GetStatusAsync()).Configured
                ? TypedResults.Json(await grain.SyncNowAsync(full ?? false))
                : NightscoutError.Result(StatusCodes.Status404NotFound, "Not Found", $"No {kind} connector configured");
        }).RequirePermission(AdminPermission);

        app.MapGet("/api/admin/connectors", async (ConnectorOverviewQuery overview, CancellationToken cancellationToken) =>
            TypedResults.Json(await overview.LoadAsync(cancellationToken)))
            .WithTags("Operator").OperatorOnly();

        return app;
    }

    private static IResult? UnknownKind(string kind) =>
        ConnectorKinds.IsKnown(kind)
            ? null
            : NightscoutError.Result(StatusCodes.Status400BadRequest, "Bad Request", $"Unknown connector '{kind}'; known: {string.Join(", ", ConnectorKinds.All)}");

    private static IConnectorGrain Grain(IGrainFactory grains, HttpContext http, string kind) =>
        grains.GetGrain<IConnectorGrain>(ConnectorKinds.Key(http.Site().SiteId, kind));
}
