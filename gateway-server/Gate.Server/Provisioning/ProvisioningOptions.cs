using Gate.Firmware.Config;

namespace Gate.Server.Provisioning;

/// <summary>What the server writes into a device's configuration bundle, and how long each acceptance step may take.</summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Provisioning";

    /// <summary>
    /// Folder of the board files (hardware/boards/*.json). Empty: the first hardware/boards found above the content
    /// root or the application folder, so a checkout works without configuration.
    /// </summary>
    public string BoardsPath { get; set; } = "";

    /// <summary>The broker address as the devices reach it (a name or address on the school network, not localhost).</summary>
    public string BrokerHost { get; set; } = "gate-broker.local";

    public int BrokerPort { get; set; } = 1883;

    public bool BrokerTls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate; copied into every bundle. Required with TLS.</summary>
    public string? CaCertificatePath { get; set; }

    public string NtpServer { get; set; } = "ntp.aliyun.com";

    /// <summary>
    /// Seconds a device waits after received for forwarded or police_ack before its light shows "not at the police"
    /// (gate.json police_wait_s, 1..600); keep it above the usual press-to-police time of the receivers in use.
    /// </summary>
    public int PoliceWaitSeconds { get; set; } = DeviceConfig.DefaultPoliceWaitSeconds;

    /// <summary>The nanoFramework firmware version the application was built against (nanoff --fwversion); empty = latest.</summary>
    public string FirmwareVersion { get; set; } = "";

    /// <summary>File name of the Gate application deployment image that the .nfproj build writes.</summary>
    public string ApplicationImage { get; set; } = "Gate.Firmware.Esp32.bin";

    /// <summary>
    /// Board id → a locally built nanoCLR image (nanoff --clrfile), for a board whose published image does not fit
    /// (hardware/flashing.md). Boards not listed use the published image of their nanoff_target.
    /// </summary>
    public Dictionary<string, string> ClrFiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Default serial port printed in the nanoff command lines when the installer names none.</summary>
    public string DefaultSerialPort { get; set; } = "/dev/ttyUSB0";

    public AcceptanceLimits Acceptance { get; set; } = new();
}

/// <summary>Seconds each acceptance step may take before the run fails on it (hardware/bench-test.md).</summary>
public sealed class AcceptanceLimits
{
    public int OnlineSeconds { get; set; } = 120;
    public int DrillOnSeconds { get; set; } = 60;
    public int PressSeconds { get; set; } = 300;
    public int PoliceAckSeconds { get; set; } = 120;
    public int LightSeconds { get; set; } = 120;
    public int LatchResetSeconds { get; set; } = 300;
}
