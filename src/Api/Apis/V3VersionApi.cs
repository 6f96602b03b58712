using Nocturne.Api.Authorization;
using Nocturne.Api.Configuration;
using Nocturne.Grains.Storage;

namespace Nocturne.Api.Apis;

/// <summary><c>GET /api/v3/version</c>: public, as in the reference; AAPS calls it before authenticating.</summary>
public static class V3VersionApi
{
    public static IEndpointRouteBuilder MapV3VersionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v3/version", async (PostgresConnection postgres, TimeProvider time, CancellationToken cancellationToken) =>
        {
            await using var command = postgres.DataSource.CreateCommand("SHOW server_version");
            var storageVersion = (string?)await command.ExecuteScalarAsync(cancellationToken);
            return TypedResults.Json(new
            {
                status = 200,
                result = new
                {
                    version = NightscoutCompatibility.Version,
                    apiVersion = NightscoutCompatibility.ApiV3Version,
                    srvDate = time.GetUtcNow().ToUnixTimeMilliseconds(),
                    storage = new { storage = "postgresql", version = storageVersion },
                },
            });
        }).WithTags("API v3").WithName("V3Version").PublicOnSite();
        return app;
    }
}
