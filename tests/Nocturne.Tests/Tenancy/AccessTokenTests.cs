using Nocturne.Grains.Authorization;

namespace Nocturne.Tests.Tenancy;

public sealed class AccessTokenTests
{
    [Theory]
    [InlineData("Loop iPhone", "loopiphone")]
    [InlineData("Dr. Ann-Marie O'Neil", "drannmarie")]
    [InlineData("xDrip+", "xdrip")]
    public void AbbreviationIsLikeTheReference(string name, string abbreviation) =>
        Assert.Equal(abbreviation, AccessTokens.Abbreviation(name));

    [Fact]
    public void NewTokensHaveTheReferenceShapeAndAreUnique()
    {
        var a = AccessTokens.New("Loop iPhone");
        var b = AccessTokens.New("Loop iPhone");
        Assert.Matches("^loopiphone-[0-9a-f]{16}$", a);
        Assert.NotEqual(a, b);
        Assert.Equal(a[^16..], AccessTokens.Suffix(a));
        Assert.Equal("loopiphone-", AccessTokens.Prefix(a));
    }

    [Theory]
    [InlineData("short-abc")]
    [InlineData("name-0123456789abcdeg")]
    [InlineData("name-0123456789abcdef0")]
    public void ValuesThatCannotBeTokensHaveNoSuffix(string value) => Assert.Null(AccessTokens.Suffix(value));

    [Fact]
    public void SuffixIsCaseInsensitive() => Assert.Equal("0123456789abcdef", AccessTokens.Suffix("x-0123456789ABCDEF"));
}
