using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrgConsole.Features.Sso;

namespace OrgConsole.Tests.TestSupport.Dns;

/// <summary>
/// A real DNS server on a loopback UDP port, authoritative for whatever TXT records a test publishes (RFC 1035 wire
/// format). Unknown names answer NXDOMAIN; <see cref="Failing"/> makes every answer SERVFAIL. TTL 0, so nothing is cached.
/// </summary>
public sealed class DnsTestServer : IAsyncDisposable
{
    private const ushort TypeTxt = 16;
    private readonly UdpClient _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string[]> _txt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Task _loop;

    private DnsTestServer()
    {
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_udp.Client.LocalEndPoint!;
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The <c>Sso:DnsServers</c> entry for this server.</summary>
    public string Address => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>When true, every query is answered SERVFAIL (a broken or unreachable zone).</summary>
    public bool Failing { get; set; }

    public int QueryCount;

    public static DnsTestServer Start() => new();

    /// <summary>Publishes (replaces) the TXT records of a name.</summary>
    public void SetTxt(string name, params string[] values) => _txt[name.TrimEnd('.')] = values;

    public void Remove(string name) => _txt.TryRemove(name.TrimEnd('.'), out _);

    /// <summary>Points a test service provider's SSO lookups at this server.</summary>
    public void Serve(IServiceProvider services) => services.GetRequiredService<IOptions<SsoOptions>>().Value.DnsServers = [Address];

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            Interlocked.Increment(ref QueryCount);
            var answer = Answer(request.Buffer);
            if (answer is null) continue;
            try
            {
                await _udp.SendAsync(answer, request.RemoteEndPoint, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) < 1) return null;
        var offset = 12;
        var labels = new List<string>();
        while (offset < query.Length && query[offset] != 0)
        {
            int length = query[offset];
            if (length > 63 || offset + 1 + length > query.Length) return null;
            labels.Add(Encoding.ASCII.GetString(query, offset + 1, length));
            offset += 1 + length;
        }
        offset++; // the root label
        if (offset + 4 > query.Length) return null;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(offset));
        var questionEnd = offset + 4;
        var name = string.Join('.', labels);

        var records = Failing ? null : _txt.TryGetValue(name, out var found) ? found : null;
        var rcode = Failing ? 2 : records is null ? 3 : 0;
        var answers = type == TypeTxt && records is not null ? records : [];

        using var response = new MemoryStream();
        var header = new byte[12];
        header[0] = query[0];
        header[1] = query[1];
        var recursionDesired = query[2] & 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(0x8000 | 0x0400 | (recursionDesired << 8) | 0x0080 | rcode));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)answers.Length);
        response.Write(header);
        response.Write(query, 12, questionEnd - 12);
        foreach (var value in answers)
        {
            var text = Encoding.UTF8.GetBytes(value);
            var rdata = new MemoryStream();
            for (var i = 0; i < text.Length || i == 0; i += 255)
            {
                var chunk = Math.Min(255, text.Length - i);
                rdata.WriteByte((byte)chunk);
                rdata.Write(text, i, chunk);
                if (text.Length == 0) break;
            }
            var record = new byte[12];
            BinaryPrimitives.WriteUInt16BigEndian(record, 0xC00C); // the name: a pointer to the question's
            BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(2), TypeTxt);
            BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(4), 1); // IN
            BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(6), 0); // TTL
            BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(10), (ushort)rdata.Length);
            response.Write(record);
            response.Write(rdata.ToArray());
        }
        return response.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
