namespace Nocturne.Grains.Connectors;

/// <summary>The vendor answered something that does not follow its protocol (malformed JSON, missing fields): transient, backs off.</summary>
public sealed class VendorProtocolException : Exception
{
    public VendorProtocolException(string message) : base(message) { }
    public VendorProtocolException() { }
    public VendorProtocolException(string message, Exception innerException) : base(message, innerException) { }
}
