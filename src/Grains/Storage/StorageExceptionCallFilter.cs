namespace Nocturne.Grains.Storage;

/// <summary>
/// Every grain call: a storage failure leaves the grain as our own serializable exception, so
/// that a caller on another silo sees "database unavailable" (503) or "value refused" (400)
/// instead of a codec error (500).
/// </summary>
public sealed class StorageExceptionCallFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (StorageFailures.Translate(ex) is { } translated)
        {
            throw translated;
        }
    }
}
