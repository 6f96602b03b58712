using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Nocturne.Grains.Connectors;
using Nocturne.Grains.Connectors.Sources;
using Nocturne.Grains.Interfaces.Connectors;

namespace Nocturne.Tests.Connectors;

/// <summary>The credential envelope and the Nightscout source's refusal of internal addresses.</summary>
public sealed class ConnectorSettingsValidationTests
{
    private static CredentialProtector Protector(string? key) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [CredentialProtector.ConfigurationKey] = key }).Build());

    [Fact]
    public void ACredentialOnlyDecryptsForItsOwnConnectorAndField()
    {
        var protector = Protector(ConnectorHost.CredentialKey);
        var blob = protector.Protect("hunter2-password", "alice/dexcom:password");
        Assert.DoesNotContain("hunter2", blob, StringComparison.Ordinal);
        Assert.NotEqual(blob, protector.Protect("hunter2-password", "alice/dexcom:password"));
        Assert.Equal("hunter2-password", protector.Unprotect(blob, "alice/dexcom:password"));

        // Copied to another site's connector, or another field, or tampered with: nothing.
        Assert.Null(protector.Unprotect(blob, "mallory/dexcom:password"));
        Assert.Null(protector.Unprotect(blob, "alice/dexcom:username"));
        var bytes = Convert.FromBase64String(blob[3..]);
        bytes[^1] ^= 1;
        Assert.Null(protector.Unprotect("v1." + Convert.ToBase64String(bytes), "alice/dexcom:password"));
        // Another key cannot read it.
        Assert.Null(Protector(Convert.ToBase64String(new byte[32])).Unprotect(blob, "alice/dexcom:password"));
    }

    [Fact]
    public void AMissingKeyTurnsConnectorsOffAndAMalformedOneStopsTheStart()
    {
        Assert.False(Protector(null).Available);
        Assert.Throws<InvalidOperationException>(() => Protector("c2hvcnQ="));
        Assert.Throws<InvalidOperationException>(() => Protector("not base64 at all!"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1337", false)]
    [InlineData("http://localhost/", false)]
    [InlineData("http://10.1.2.3/", false)]
    [InlineData("http://192.168.0.10/", false)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("http://[::1]/", false)]
    [InlineData("http://[::ffff:10.0.0.1]/", false)]
    [InlineData("ftp://example.org/", false)]
    [InlineData("https://example.org/?token=x", false)]
    [InlineData("https://mysite.herokuapp.com/", true)]
    [InlineData("https://93.184.215.14/", true)]
    public void TheNightscoutSourceOnlyReachesPublicHttpAddresses(string url, bool accepted)
    {
        var source = new NightscoutSource(Options.Create(new ConnectorOptions()));
        var problem = source.Validate(new ConnectorSettings(true, null, null, null, url, "token-1234567890", null, null, null));
        Assert.Equal(accepted, problem is null);
    }
}
