using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Gate.Server.Mqtt;

/// <summary>One socket's way from accept to CONNACK: its admission ticket, its CONNECT deadline, and why it ended badly.</summary>
public sealed class ConnectAttempt(ConnectTicket ticket, CancellationToken deadline)
{
    private int _answered;

    public ConnectTicket Ticket { get; } = ticket;

    /// <summary>Cancelled when the CONNECT deadline passes before the CONNACK.</summary>
    public CancellationToken Deadline { get; } = deadline;

    public bool IsAnswered => Volatile.Read(ref _answered) == 1;

    /// <summary>The counter key when this socket was refused for something it did ("connect:timeout", "connect:too_large", "packet:too_large"), else null.</summary>
    public string? Failure { get; set; }

    public string? FailureDetail { get; set; }

    /// <summary>True the first time only.</summary>
    public bool MarkAnswered() => Interlocked.Exchange(ref _answered, 1) == 0;
}

/// <summary>
/// The socket's byte stream as MQTTnet reads it, with two guards in front: until the CONNECT is answered every read
/// also ends at the CONNECT deadline, and every fixed header passes <see cref="PacketSizeLimit"/> before MQTTnet sees it.
/// </summary>
public sealed class GuardedChannel(IMqttChannel inner, PacketSizeLimit limit, ConnectAttempt attempt) : IMqttChannel
{
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read;
        if (attempt.IsAnswered)
        {
            read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Deadline);
            read = await inner.ReadAsync(buffer, offset, count, either.Token).ConfigureAwait(false);
        }

        if (read > 0 && !limit.Accept(buffer.AsSpan(offset, read)))
        {
            attempt.Failure = attempt.IsAnswered ? "packet:too_large" : "connect:too_large";
            attempt.FailureDetail = limit.RefusedSize < 0 ? "malformed remaining length" : $"{limit.RefusedSize} bytes announced, limit {limit.MaxPacketBytes}";
            // Surfaces in MQTTnet as a communication error: it closes the connection without reading the body.
            throw new IOException("MQTT packet over the size limit");
        }

        return read;
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();
}

/// <summary>
/// MQTTnet's channel adapter, watched at the CONNACK: an MQTT 5 CONNACK announces the Maximum Packet Size, and once it is
/// sent the CONNECT deadline no longer applies.
/// </summary>
public sealed class AnsweringChannelAdapter(MqttChannelAdapter inner, ConnectAttempt attempt, ConnectAdmission admission, uint maxPacketBytes) : IMqttChannelAdapter
{
    public long BytesReceived => inner.BytesReceived;

    public long BytesSent => inner.BytesSent;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken) => inner.ReceivePacketAsync(cancellationToken);

    public void ResetStatistics() => inner.ResetStatistics();

    public async Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        if (packet is MqttConnAckPacket connAck)
        {
            if (inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V500)
            {
                connAck.MaximumPacketSize = maxPacketBytes;
            }

            if (attempt.MarkAnswered())
            {
                admission.Answered(attempt.Ticket, accepted: connAck.ReasonCode == MqttConnectReasonCode.Success);
            }
        }

        await inner.SendPacketAsync(packet, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => inner.Dispose();
}
