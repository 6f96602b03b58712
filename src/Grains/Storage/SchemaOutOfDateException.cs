namespace Nocturne.Grains.Storage;

/// <summary>The database schema does not match what this build of the server needs.</summary>
public sealed class SchemaOutOfDateException : Exception
{
    public SchemaOutOfDateException(string message) : base(message) { }
    public SchemaOutOfDateException() { }
    public SchemaOutOfDateException(string message, Exception innerException) : base(message, innerException) { }
}
