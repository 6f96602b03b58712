namespace Nocturne.Api.Documents;

/// <summary>A v3 request the API refuses with 400 and the reference's message.</summary>
public sealed class V3QueryException : Exception
{
    public V3QueryException(string message) : base(message) { }
    public V3QueryException() { }
    public V3QueryException(string message, Exception innerException) : base(message, innerException) { }
}
