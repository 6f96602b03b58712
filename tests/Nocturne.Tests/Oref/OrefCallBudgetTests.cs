using Nocturne.OrefInterop;

namespace Nocturne.Tests.Oref;

/// <summary>A native call that does not return within its budget fails cleanly instead of holding the caller.</summary>
public sealed class OrefCallBudgetTests
{
    [Fact]
    public async Task ACallOverItsBudgetFailsWithAReasonAndTheCallerGoesOn()
    {
        using var release = new ManualResetEventSlim(false);
        var stuck = OrefCallBudget.RunAsync(() => release.Wait(TimeSpan.FromMinutes(1)), TimeSpan.FromMilliseconds(50));
        var failure = await Assert.ThrowsAsync<OrefException>(() => stuck);
        Assert.Contains("did not answer within 0.05 s", failure.Message, StringComparison.Ordinal);
        release.Set();

        Assert.Equal(42, await OrefCallBudget.RunAsync(() => 42, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AnOrefRefusalPassesThroughUnchanged()
    {
        var refusal = await Assert.ThrowsAsync<OrefException>(() => OrefCallBudget.RunAsync<int>(() => throw new OrefException("profile.dia must be a positive number of hours up to 24")));
        Assert.StartsWith("profile.dia", refusal.Message, StringComparison.Ordinal);
    }
}
