using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Nocturne.Api.Authorization;

namespace Nocturne.Tests.Tenancy;

public sealed class AuthFailureThrottleTests
{
    private static AuthFailureThrottle Throttle(FakeTimeProvider time) =>
        new(new ConfigurationBuilder().AddInMemoryCollection([new("AUTH_FAIL_DELAY", "1000")]).Build(), time);

    [Fact]
    public void EachAnsweredFailureOpensAPenaltyWindowOfTheConfiguredDelayUpToFourTimes()
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(time);
        for (var i = 1; i <= 6; i++)
        {
            Assert.Equal(TimeSpan.Zero, throttle.RecordFailure("alice", "10.0.0.1"));
            Assert.Equal(TimeSpan.FromSeconds(Math.Min(i, 4)), throttle.RecordFailure("alice", "10.0.0.1"));
            time.Advance(TimeSpan.FromSeconds(Math.Min(i, 4)));
        }
    }

    [Fact]
    public void FailuresInsideTheWindowAreRefusedWithoutExtendingIt()
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(time);
        throttle.RecordFailure("alice", "10.0.0.1");
        for (var i = 0; i < 50; i++)
        {
            Assert.True(throttle.RecordFailure("alice", "10.0.0.1") > TimeSpan.Zero);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, throttle.RecordFailure("alice", "10.0.0.1"));
    }

    [Fact]
    public void OneClientsFailuresNeverRefuseAnotherClientOrAnotherSite()
    {
        var throttle = Throttle(new FakeTimeProvider());
        throttle.RecordFailure("alice", "10.0.0.1");
        Assert.Equal(TimeSpan.Zero, throttle.RecordFailure("alice", "10.0.0.2"));
        Assert.Equal(TimeSpan.Zero, throttle.RecordFailure("bob", "10.0.0.1"));
    }

    [Fact]
    public void FailuresAreForgottenAfterAMinute()
    {
        var time = new FakeTimeProvider();
        var throttle = Throttle(time);
        throttle.RecordFailure("alice", "10.0.0.1");
        throttle.RecordFailure("alice", "10.0.0.1");
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(TimeSpan.Zero, throttle.RecordFailure("alice", "10.0.0.1"));
    }
}
