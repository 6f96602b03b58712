using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Nocturne.Tests.Push;

/// <summary>
/// Drives the real npm <c>socket.io-client</c> (installed by deploy/local/test.sh, pinned) in a node
/// process: commands go in on stdin as JSON lines (open a socket, emit an event), everything the
/// sockets receive comes back on stdout as JSON lines.
/// </summary>
public sealed class SocketIoNodeClient : IAsyncDisposable
{
    private const string Script = """
        const { io, Manager } = require(process.env.CLIENT_DIR);
        const readline = require('readline');
        const sockets = {};
        const managers = {};
        const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
        const events = ['connected', 'dataUpdate', 'alarm', 'urgent_alarm', 'clear_alarm', 'announcement', 'retroUpdate'];
        readline.createInterface({ input: process.stdin }).on('line', (line) => {
          const cmd = JSON.parse(line);
          if (cmd.op === 'open') {
            const options = { path: '/t/' + cmd.site + '/socket.io', transports: cmd.transports || ['websocket'], reconnection: false };
            // A shared manager multiplexes namespaces over one Engine.IO connection, as the reference's web client does.
            const s = cmd.manager
              ? (managers[cmd.manager] = managers[cmd.manager] || new Manager(process.env.BASE, options)).socket(cmd.ns || '/')
              : io(process.env.BASE + (cmd.ns || ''), { ...options, forceNew: true });
            s.on('connect', () => out({ tag: cmd.tag, event: 'connect' }));
            s.on('connect_error', (e) => out({ tag: cmd.tag, event: 'connect_error', data: String(e && e.message) }));
            s.on('disconnect', (reason) => out({ tag: cmd.tag, event: 'disconnect', data: reason }));
            events.forEach((name) => s.on(name, (data) => out({ tag: cmd.tag, event: name, data: data === undefined ? null : data })));
            sockets[cmd.tag] = s;
          } else if (cmd.op === 'emit') {
            sockets[cmd.tag].emit(cmd.name, ...cmd.args, (answer) => out({ tag: cmd.tag, event: 'callback:' + cmd.name, data: answer }));
          } else if (cmd.op === 'send') {
            sockets[cmd.tag].emit(cmd.name, ...cmd.args);
          }
        });
        setTimeout(() => process.exit(3), 120000);
        """;

    private readonly Process _node;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly Task _reader;

    private SocketIoNodeClient(Process node)
    {
        _node = node;
        _reader = Task.Run(async () =>
        {
            while (await node.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith('{'))
                {
                    _lines.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
                }
            }

            _lines.Writer.TryComplete();
        });
    }

    public static SocketIoNodeClient Start(string baseUrl)
    {
        var client = Environment.GetEnvironmentVariable("NOCTURNE_SOCKET_IO_CLIENT");
        Assert.True(client is not null && File.Exists(Path.Combine(client, "package.json")),
            "socket.io-client is not installed: run the tests through deploy/local/test.sh, which installs it from npm");
        var start = new ProcessStartInfo("node", ["-e", Script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CLIENT_DIR"] = client;
        start.Environment["BASE"] = baseUrl.TrimEnd('/');
        return new SocketIoNodeClient(Process.Start(start)!);
    }

    public Task OpenAsync(string tag, string site, string? ns = null) => CommandAsync(new { op = "open", tag, site, ns });

    /// <summary>Opens a namespace the way the reference's web client does: long-polling only, namespaces sharing one connection (<paramref name="manager"/>).</summary>
    public Task OpenPollingAsync(string tag, string site, string manager, string? ns = null) =>
        CommandAsync(new { op = "open", tag, site, ns, manager, transports = new[] { "polling" } });

    /// <summary>Emits an event with an acknowledgement callback; its answer arrives as <c>callback:{name}</c>.</summary>
    public Task EmitAsync(string tag, string name, params object[] args) => CommandAsync(new { op = "emit", tag, name, args });

    /// <summary>Emits an event without a callback (as the reference's clients send <c>ack</c>).</summary>
    public Task SendAsync(string tag, string name, params object[] args) => CommandAsync(new { op = "send", tag, name, args });

    public async Task<JsonElement> NextAsync(string tag, string eventName, Func<JsonElement, bool>? match = null, int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                _seen.Add(line);
                if (line.GetProperty("tag").GetString() == tag && line.GetProperty("event").GetString() == eventName
                    && (match?.Invoke(Data(line)) ?? true))
                {
                    return Data(line);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            Assert.Fail($"{tag} got no {eventName} within {seconds} s; seen: {string.Join("\n", _seen.Select(s => s.ToString()))}\n{await ErrorsAsync()}");
            throw;
        }
    }

    /// <summary>Every line read so far (also those <see cref="NextAsync"/> skipped) for one socket.</summary>
    public IEnumerable<(string Event, JsonElement Data)> Seen(string tag)
    {
        while (_lines.Reader.TryRead(out var line))
        {
            _seen.Add(line);
        }

        return _seen.Where(l => l.GetProperty("tag").GetString() == tag).Select(l => (l.GetProperty("event").GetString()!, Data(l)));
    }

    private static JsonElement Data(JsonElement line) => line.TryGetProperty("data", out var data) ? data : default;

    private async Task CommandAsync(object command)
    {
        await _node.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _node.StandardInput.FlushAsync();
    }

    private async Task<string> ErrorsAsync()
    {
        if (!_node.HasExited)
        {
            return "";
        }

        return await _node.StandardError.ReadToEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill();
        }

        await _node.WaitForExitAsync();
        await _reader;
        _node.Dispose();
    }
}
