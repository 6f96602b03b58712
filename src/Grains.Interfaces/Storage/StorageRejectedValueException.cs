namespace Nocturne.Grains.Interfaces.Storage;

/// <summary>
/// PostgreSQL refused a value the client sent (a data exception, SQLSTATE class 22); nothing of
/// the call was stored. Validation should have caught it first: this is the safety net that keeps
/// bad input a 400 instead of a 500. Carries the SQLSTATE, never the value.
/// </summary>
[GenerateSerializer, Alias("nocturne.StorageRejectedValueException")]
public sealed class StorageRejectedValueException : Exception
{
    public StorageRejectedValueException()
    {
    }

    public StorageRejectedValueException(string message)
        : base(message)
    {
    }

    public StorageRejectedValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StorageRejectedValueException(string sqlState, string message)
        : base(message) => SqlState = sqlState;

    [Id(0)]
    public string? SqlState { get; init; }
}
