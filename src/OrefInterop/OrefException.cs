namespace Nocturne.OrefInterop;

/// <summary>liboref refused a request (bad input) or failed; the message says which.</summary>
public sealed class OrefException : Exception
{
    public OrefException(string message) : base(message) { }
    public OrefException() { }
    public OrefException(string message, Exception innerException) : base(message, innerException) { }
}
