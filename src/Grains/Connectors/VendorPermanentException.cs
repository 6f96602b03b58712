namespace Nocturne.Grains.Connectors;

/// <summary>The vendor refuses until the user acts (wrong password, terms to accept, locked account): polling stops.</summary>
public sealed class VendorPermanentException : Exception
{
    public VendorPermanentException(string message) : base(message) { }
    public VendorPermanentException() { }
    public VendorPermanentException(string message, Exception innerException) : base(message, innerException) { }
}
