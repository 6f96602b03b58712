using Nocturne.OrefInterop;

namespace Nocturne.Tests.Oref;

public sealed class OrefLibraryTests
{
    [Fact]
    public void TheRustLibraryLoadsAndSpeaksTheExpectedAbi()
    {
        OrefLibrary.EnsureCompatible();
        var info = OrefLibrary.Info();
        Assert.Equal(OrefLibrary.ExpectedAbiVersion, info.AbiVersion);
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.CrateVersion);
    }
}
