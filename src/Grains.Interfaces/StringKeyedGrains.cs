namespace Nocturne.Grains.Interfaces;

/// <summary>
/// References to string-keyed grains without Orleans' per-call lookup of the interface's
/// attributes: <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves the interface type by reflection
/// on every call (no cache in Orleans 10), which an upload paid five times (the access, patient,
/// push and alarm grains). The grain type and interface type of <typeparamref name="T"/> are resolved once
/// per process by Orleans itself, then every reference is built from them, exactly as Orleans builds it.
/// </summary>
public static class StringKeyedGrains
{
    public static T Get<T>(IGrainFactory factory, string key) where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var (grainType, interfaceType) = Types<T>.Resolved ??= Resolve<T>(factory);
        return (T)factory.GetGrain(GrainId.Create(grainType, IdSpan.Create(key)), interfaceType);
    }

    private static (GrainType, GrainInterfaceType) Resolve<T>(IGrainFactory factory) where T : IGrainWithStringKey
    {
        var sample = (GrainReference)(object)factory.GetGrain<T>("resolve");
        return (sample.GrainId.Type, sample.InterfaceType);
    }

    // Per interface: the types never change within a process (they come from the [GrainType] and [Alias] attributes).
    private static class Types<T>
    {
        public static (GrainType, GrainInterfaceType)? Resolved;
    }
}
