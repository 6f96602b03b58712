using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Nocturne.Api.Errors;
using Nocturne.Api.Health;
using Nocturne.Grains.Interfaces.Storage;
using Nocturne.Grains.Storage;
using Npgsql;
using Orleans.Runtime;

namespace Nocturne.Tests.Robustness;

/// <summary>
/// What a client is told when something below the API fails: a refused value is its own 400, a
/// fault is a 503 with Retry-After, and storage failures leave grains as exceptions Orleans can carry.
/// </summary>
public sealed class FailureMappingTests
{
    private static async Task<(int Status, string? RetryAfter, JsonElement Body, int Calls)> RunAsync(string method, Func<int, Exception?> fail)
    {
        await using var postgres = new PostgresConnection("Host=127.0.0.1;Port=1;Database=none");
        var availability = new PostgresAvailability(postgres, TimeProvider.System, NullLogger<PostgresAvailability>.Instance);
        var calls = 0;
        var middleware = new ErrorHandlingMiddleware(context =>
        {
            calls++;
            if (fail(calls) is { } ex)
            {
                throw ex;
            }

            context.Response.StatusCode = 200;
            return context.Response.WriteAsync("{\"status\":200}");
        }, availability, NullLogger<ErrorHandlingMiddleware>.Instance);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = "/api/v1/entries";
        context.Response.Body = new MemoryStream();
        await middleware.InvokeAsync(context);
        context.Response.Body.Position = 0;
        var body = JsonDocument.Parse(context.Response.Body).RootElement.Clone();
        return (context.Response.StatusCode, context.Response.Headers.RetryAfter.ToString() is { Length: > 0 } r ? r : null, body, calls);
    }

    [Theory]
    [InlineData("22P05")]
    [InlineData("22021")]
    [InlineData("22003")]
    [InlineData("2201B")]
    [InlineData("22P02")]
    public async Task APostgresDataExceptionIsTheClientsBadRequest(string sqlState)
    {
        var (status, retryAfter, body, _) = await RunAsync("POST", _ => new PostgresException("refused", "ERROR", "ERROR", sqlState));
        Assert.Equal(400, status);
        Assert.Null(retryAfter);
        Assert.Equal(400, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AValueRefusedInsideAGrainIsTheClientsBadRequest()
    {
        var translated = StorageFailures.Translate(new PostgresException("unsupported Unicode escape sequence", "ERROR", "ERROR", "22P05"));
        Assert.IsType<StorageRejectedValueException>(translated);
        var (status, _, body, _) = await RunAsync("POST", _ => translated);
        Assert.Equal(400, status);
        Assert.Equal("Bad Request", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task AnUnreachableDatabaseInsideAGrainIsA503()
    {
        var translated = StorageFailures.Translate(new NpgsqlException("Failed to connect", new System.Net.Sockets.SocketException(111)));
        Assert.IsType<StorageUnavailableException>(translated);
        var (status, retryAfter, _, _) = await RunAsync("POST", _ => translated);
        Assert.Equal(503, status);
        Assert.NotNull(retryAfter);
    }

    [Fact]
    public void AConstraintViolationIsNotDisguisedAsTheClientsFault()
    {
        Assert.Null(StorageFailures.Translate(new PostgresException("duplicate key", "ERROR", "ERROR", "23505")));
        Assert.Null(StorageFailures.Translate(new InvalidOperationException("bug")));
    }

    public static TheoryData<Exception> ClusterFaultsSeen() =>
    [
        new SiloUnavailableException("silo gone"),
        new TimeoutException("response timed out"),
        new GatewayTooBusyException(),
    ];

    [Theory]
    [MemberData(nameof(ClusterFaultsSeen))]
    public async Task AClusterFaultOnAWriteIsA503WithRetryAfter(Exception fault)
    {
        var (status, retryAfter, body, calls) = await RunAsync("POST", _ => fault);
        Assert.Equal(503, status);
        Assert.Equal("5", retryAfter);
        Assert.Equal(503, body.GetProperty("status").GetInt32());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task AReadThatMetALostSiloIsTriedOnceMore()
    {
        var (status, _, _, calls) = await RunAsync("GET", call => call == 1 ? new SiloUnavailableException("silo gone") : null);
        Assert.Equal(200, status);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AReadThatFailsTwiceIsA503()
    {
        var (status, retryAfter, _, calls) = await RunAsync("GET", _ => new SiloUnavailableException("silo gone"));
        Assert.Equal(503, status);
        Assert.NotNull(retryAfter);
        Assert.Equal(2, calls);
    }
}
