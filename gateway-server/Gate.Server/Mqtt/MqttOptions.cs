namespace Gate.Server.Mqtt;

public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    /// <summary>"embedded" (default: the server is the broker) or "external" (the server is a client of Mosquitto, EMQX ...).</summary>
    public string Mode { get; set; } = "embedded";

    public EmbeddedBrokerOptions Embedded { get; set; } = new();

    public ExternalBrokerOptions External { get; set; } = new();

    public bool IsEmbedded => string.Equals(Mode, "embedded", StringComparison.OrdinalIgnoreCase);
}

public sealed class EmbeddedBrokerOptions
{
    /// <summary>Plain MQTT port; 0 picks a free port (tests), readable from <see cref="EmbeddedBroker.Port"/>.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Set to false to accept only TLS (when a certificate is configured).</summary>
    public bool PlainEnabled { get; set; } = true;

    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>TLS port, used only when <see cref="TlsCertificatePath"/> is set.</summary>
    public int TlsPort { get; set; } = 8883;

    /// <summary>PKCS#12 (.pfx) file with the broker's certificate and key; empty: no TLS endpoint.</summary>
    public string? TlsCertificatePath { get; set; }

    public string? TlsCertificatePassword { get; set; }

    /// <summary>
    /// Messages queued per device while it is away (acks, commands). MQTTnet's default drops the OLDEST message of a full
    /// queue; Gate drops the newest instead and counts it, and re-sends alarm acks when the device returns.
    /// </summary>
    public int MaxPendingMessagesPerClient { get; set; } = 1000;

    /// <summary>
    /// Most device connections held at once; more are refused with "server unavailable" and the device retries with
    /// backoff. 0 (default): the process's open-file limit less <see cref="ReservedFiles"/>. Every connection is a
    /// file descriptor, and a process that runs out of them fails in places that were never meant to fail (the
    /// runtime reported "Out of memory." and exited at 20,000 descriptors in the province load test).
    /// </summary>
    public int MaxConnections { get; set; }

    /// <summary>Descriptors kept for everything that is not a device connection: SQLite, HTTP clients, the police link, logs.</summary>
    public int ReservedFiles { get; set; } = 1024;

    /// <summary>
    /// Seconds a new socket has to finish CONNECT (TLS handshake included) and be answered; then it is closed and counts as
    /// a failed connect of its source. Until then it counts against <see cref="MaxConnections"/> like any other.
    /// </summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Largest MQTT packet accepted, whole (fixed header included). Refused from the fixed header, before the body is read,
    /// and announced to MQTT 5 clients in CONNACK (Maximum Packet Size). 4096 holds Gate's 1 KiB payload with its topic and
    /// properties, and any CONNECT with a will.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 4096;

    /// <summary>
    /// Sockets one source address may hold that have not yet been answered with a CONNACK; more are closed at once.
    /// Generous, because many gates can share one address (a school's NAT, a carrier's CGNAT) and all reconnect together.
    /// </summary>
    public int MaxPendingPerSource { get; set; } = 256;

    /// <summary>Failed connects (refused CONNECT, no CONNECT in time, oversized packet) a source address may have per window before it is turned away.</summary>
    public int FailedConnectBudget { get; set; } = 20;

    public int FailedConnectWindowSeconds { get; set; } = 60;

    /// <summary>First time a source is turned away; each further block doubles it, up to <see cref="MaxFailedConnectBackoffSeconds"/>.</summary>
    public int FailedConnectBackoffSeconds { get; set; } = 10;

    public int MaxFailedConnectBackoffSeconds { get; set; } = 900;

    /// <summary>
    /// Networks (CIDR, e.g. "10.20.0.0/16", or single addresses) exempt from the per-source limits (pending sockets, failed-connect
    /// budget): a VPN concentrator or carrier NAT in front of many gates, where one misconfigured gate must not turn the
    /// others away. The cap, the CONNECT deadline and the packet size limit still apply to them.
    /// </summary>
    public string[] ExemptSources { get; set; } = [];
}

public sealed class ExternalBrokerOptions
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>Client id of this server instance; with shared subscriptions each instance needs its own.</summary>
    public string ClientId { get; set; } = "gate-server";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Shared-subscription group ("$share/{group}/..."): several server instances split the devices' messages. Empty: plain subscriptions.</summary>
    public string? SharedGroup { get; set; }

    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>Longest wait between reconnection attempts.</summary>
    public int MaxReconnectDelaySeconds { get; set; } = 30;
}
