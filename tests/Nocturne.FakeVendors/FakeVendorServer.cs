using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nocturne.FakeVendors;

/// <summary>
/// A vendor cloud in the test process: Kestrel on a loopback port, the vendor's protocol mapped
/// by the subclass, and fault injection in front of it (queued faults, or down altogether).
/// </summary>
public abstract class FakeVendorServer : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<VendorFault> Faults { get; } = new();

    /// <summary>While set, every request gets 503 (the vendor is down).</summary>
    public bool Down { get; set; }

    /// <summary>Requests seen per path (faulted ones included).</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new();

    public int RequestsTo(string pathContains) => Requests.Where(r => r.Key.Contains(pathContains, StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>Starts on a free loopback port; with <paramref name="https"/> behind a throw-away self-signed certificate (for clients that only speak https).</summary>
    public async Task StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (https)
            {
                listen.UseHttps(SelfSignedCertificate());
            }
        }));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            Requests.AddOrUpdate(context.Request.Path.Value ?? "", 1, (_, n) => n + 1);
            if (Down)
            {
                context.Response.StatusCode = 503;
                return;
            }

            if (TakeFault(context.Request.Path.Value ?? "") is { } fault)
            {
                await ApplyAsync(fault, context);
                return;
            }

            await next(context);
        });
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    protected abstract void Map(WebApplication app);

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSignedCertificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel on Linux wants a key it can use from a PFX-loaded certificate.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    private VendorFault? TakeFault(string path)
    {
        // Faults apply in order to the requests they match; the others pass.
        if (Faults.TryPeek(out var next) && path.Contains(next.PathContains, StringComparison.Ordinal) && Faults.TryDequeue(out var fault))
        {
            return fault;
        }

        return null;
    }

    private static async Task ApplyAsync(VendorFault fault, HttpContext context)
    {
        switch (fault.Kind)
        {
            case VendorFaultKind.ServerError:
                context.Response.StatusCode = 500;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>Internal error</body></html>");
                break;
            case VendorFaultKind.RateLimited:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = fault.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case VendorFaultKind.Hang:
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as it should.
                }

                break;
            case VendorFaultKind.Malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"status\":0,\"data\":[{\"trunc");
                break;
            case VendorFaultKind.Unauthorized:
                context.Response.StatusCode = 401;
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
