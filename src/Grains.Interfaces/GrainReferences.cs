namespace Nocturne.Grains.Interfaces;

/// <summary>
/// Grain references by string key without Orleans' per-call type resolution:
/// <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> reads the interface's attributes by reflection
/// on every call (about a tenth of a cached read's CPU, measured with dotnet-trace). The grain type
/// and interface type of <typeparamref name="TGrain"/> are resolved once, by that same call, and
/// reused; the reference is the one Orleans would have made.
/// </summary>
public static class GrainReferences
{
    public static TGrain Of<TGrain>(IGrainFactory factory, string key) where TGrain : IGrainWithStringKey =>
        Types<TGrain>.Resolved is { } types
            ? (TGrain)factory.GetGrain(GrainId.Create(types.Grain, key), types.Interface)
            : Types<TGrain>.Resolve(factory, key);

    private static class Types<TGrain> where TGrain : IGrainWithStringKey
    {
        // Immutable once set; a race sets the same value twice.
        public static (GrainType Grain, GrainInterfaceType Interface)? Resolved;

        public static TGrain Resolve(IGrainFactory factory, string key)
        {
            var grain = factory.GetGrain<TGrain>(key);
            if (grain is GrainReference reference)
            {
                Resolved = (reference.GrainId.Type, reference.InterfaceType);
            }

            return grain;
        }
    }
}
