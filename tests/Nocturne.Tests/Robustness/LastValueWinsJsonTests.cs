using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Grains.Documents;

namespace Nocturne.Tests.Robustness;

/// <summary>JSON read as the reference's JSON.parse reads it when a name is given twice.</summary>
public sealed class LastValueWinsJsonTests
{
    [Fact]
    public void ARepeatedNameKeepsItsLastValueAtItsFirstPlaceAtEveryDepth()
    {
        var node = LastValueWinsJson.Parse("""[{"a":1,"b":{"x":1,"x":[{"y":1,"y":2}]},"a":3}]""", out var repeated);
        Assert.True(repeated);
        Assert.Equal("""[{"a":3,"b":{"x":[{"y":2}]}}]""", node!.ToJsonString());
    }

    [Fact]
    public void JsonWithoutRepeatsIsTheSameTreeAsJsonNodeReadsIt()
    {
        const string json = """{"sgv":120,"date":1700000000000,"n":null,"t":true,"s":"caf\u00e9","a":[1.50,{"k":"v"}]}""";
        var node = LastValueWinsJson.Parse(json, out var repeated);
        Assert.False(repeated);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), node));
        Assert.Equal(JsonNode.Parse(json)!.ToJsonString(), node!.ToJsonString());
    }

    [Fact]
    public void ANameThatIsALoneSurrogateIsUnreadableJson() =>
        Assert.ThrowsAny<JsonException>(() => LastValueWinsJson.Parse("""{"\ud800":1}""", out _));
}
