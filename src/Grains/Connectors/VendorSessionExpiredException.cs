namespace Nocturne.Grains.Connectors;

/// <summary>The vendor no longer knows our session: log in again (once) and repeat.</summary>
public sealed class VendorSessionExpiredException : Exception
{
    public VendorSessionExpiredException(string message) : base(message) { }
    public VendorSessionExpiredException() { }
    public VendorSessionExpiredException(string message, Exception innerException) : base(message, innerException) { }
}
