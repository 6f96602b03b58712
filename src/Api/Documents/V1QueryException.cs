namespace Nocturne.Api.Documents;

/// <summary>A query the v1 API cannot run; the message goes to the client as a 400.</summary>
public sealed class V1QueryException : Exception
{
    public V1QueryException(string message) : base(message) { }
    public V1QueryException() { }
    public V1QueryException(string message, Exception innerException) : base(message, innerException) { }
}
