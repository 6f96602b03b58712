namespace Nocturne.Grains.Interfaces.Storage;

/// <summary>
/// PostgreSQL could not be reached while a grain served a call; nothing of the call was stored.
/// Grains throw this instead of the driver's own exception, which Orleans cannot carry between
/// silos; the API answers it with 503 and <c>Retry-After</c>.
/// </summary>
[GenerateSerializer, Alias("nocturne.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
