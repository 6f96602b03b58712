using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nocturne.Api.Documents;

namespace Nocturne.Tests.Robustness;

/// <summary>
/// An upload is checked by reading it once (<see cref="JsonInput.IsCertainlyStorable"/>) and only
/// falls back to the document-tree walk, which words every refusal, when the reader is not certain.
/// So the answer to any body is what it was: whatever the quick check accepts, the tree walk accepts
/// too, and a refused body always reaches the tree walk for its message.
/// </summary>
public sealed class UploadCheckTests
{
    private static readonly string[] Values =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"x\\udfff\"", "\"\\ud83d\\ude00\"", "\"😀\"", "\"é\\u00e9\"", "1e400", "-1e400", "1e-400",
        "1e1000000", "99999999999999999999999999999999", "1e300", "0", "-0", "-1", "1.5", "120", "true", "false", "null", "[]", "{}",
        "\"2026-01-01T00:00:00Z\"", "\"abc\"", "\"\"", "\"<b>x</b>\"", "\"\\\\\"", "\"\\\"\"", "\"\\n\"", "[1,[2,[3]]]", "{\"a\":{\"b\":[null]}}",
        "\"" + new string('x', 300) + "\"",
    ];

    private static readonly string[] Names =
    [
        "date", "sgv", "type", "a\\u0000", "\\ud800", "", "a.b", "\\u0061", "é", "_id", "x\\ny",
    ];

    private static IEnumerable<string> Bodies()
    {
        var random = new Random(1414);
        foreach (var value in Values)
        {
            yield return $"{{\"type\":\"sgv\",\"v\":{value}}}";
            yield return $"[{{\"v\":{value}}},{{\"w\":[{value}]}}]";
        }

        foreach (var name in Names)
        {
            yield return $"{{\"{name}\":1}}";
            yield return $"{{\"a\":{{\"{name}\":1,\"b\":2}}}}";
        }

        // Repeated names, also when one of them is escaped or deep, and objects past the compared count.
        yield return "{\"a\":1,\"a\":2}";
        yield return "{\"a\":1,\"\\u0061\":2}";
        yield return "[{\"a\":{\"b\":1,\"b\":1}}]";
        yield return "{\"a\":{\"b\":1},\"c\":{\"b\":1}}";
        yield return "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"f{i}\":{i}")) + "}";
        yield return "{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"f{i % 35}\":{i}")) + "}";
        yield return new string('[', 64) + new string(']', 64);
        yield return new string('[', 65) + new string(']', 65);
        yield return string.Concat(Enumerable.Repeat("{\"a\":", 10)) + "1" + new string('}', 10);
        // Not an object or array, or not JSON at all.
        foreach (var other in new[] { "42", "\"s\"", "null", "", " ", "{", "{\"a\":1,}", "[1,]", "{} {}", "{}x", "/* c */ {}", "{\"a\":1} // c", "\uFEFF{}", "{'a':1}", "[NaN]" })
        {
            yield return other;
        }

        for (var i = 0; i < 2000; i++)
        {
            var fields = Enumerable.Range(0, random.Next(0, 6)).Select(_ => $"\"{Names[random.Next(Names.Length)]}\":{Values[random.Next(Values.Length)]}");
            var doc = "{" + string.Join(",", fields) + "}";
            yield return random.Next(3) == 0 ? $"[{doc},{doc}]" : doc;
        }
    }

    [Fact]
    public void WhateverTheQuickCheckAcceptsTheTreeWalkAcceptsAsAnObjectOrArray()
    {
        var accepted = 0;
        foreach (var body in Bodies())
        {
            // A leading U+FEFF is sent as the byte order mark EF BB BF.
            if (!JsonInput.IsCertainlyStorable(Encoding.UTF8.GetBytes(body)))
            {
                continue;
            }

            accepted++;
            JsonNode? node;
            string? problem;
            try
            {
                node = JsonInput.Parse(body, out problem, out _);
            }
            catch (JsonException ex)
            {
                Assert.Fail($"accepted quickly but the tree walk refuses it ({ex.Message}): {body}");
                return;
            }

            Assert.True(problem is null, $"accepted quickly but the tree walk says '{problem}': {body}");
            Assert.True(node is JsonObject or JsonArray, $"accepted quickly but not an object or array: {body}");
        }

        Assert.True(accepted > 500, $"only {accepted} bodies took the quick path");
    }

    [Theory]
    [InlineData("{\"type\":\"sgv\",\"sgv\":120,\"date\":1795369792253,\"dateString\":\"2026-11-22T10:29:52.253Z\",\"direction\":\"Flat\",\"device\":\"xDrip-DexcomG6\",\"noise\":1,\"filtered\":0,\"unfiltered\":0,\"rssi\":100}")]
    [InlineData("[{\"type\":\"sgv\",\"sgv\":120,\"date\":1795369792253},{\"type\":\"mbg\",\"mbg\":5.6,\"date\":1795369792253}]")]
    [InlineData("{\"eventType\":\"Meal Bolus\",\"insulin\":1.5,\"carbs\":30,\"created_at\":\"2026-11-22T10:29:52.253Z\",\"notes\":\"pizza 🍕 \\\"large\\\"\",\"enteredBy\":\"AndroidAPS\"}")]
    [InlineData("{\"device\":\"openaps://phone\",\"openaps\":{\"iob\":{\"iob\":1.2,\"time\":\"2026-11-22T10:29:52Z\"},\"suggested\":{\"predBGs\":{\"IOB\":[120,118,116]}}},\"pump\":{\"battery\":{\"percent\":80}}}")]
    public void EverydayUploadsTakeTheQuickPath(string body) =>
        Assert.True(JsonInput.IsCertainlyStorable(Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData("{\"a\":\"x\\u0000\"}")]
    [InlineData("{\"a\\u0000\":1}")]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":1e400}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"type\":\"sgv\",")]
    [InlineData("42")]
    public void RefusalsAndDoubtsAreLeftToTheTreeWalk(string body) =>
        Assert.False(JsonInput.IsCertainlyStorable(Encoding.UTF8.GetBytes(body)));
}
