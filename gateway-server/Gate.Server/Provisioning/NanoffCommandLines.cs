namespace Gate.Server.Provisioning;

/// <summary>
/// The exact nanoff command lines for one board (hardware/flashing.md): firmware, application, configuration files.
/// Options are nanoff's own (nanoframework/nanoFirmwareFlasher Options.cs): --target, --serialport, --update,
/// --masserase, --fwversion, --clrfile, --deploy --image, --filedeployment, --reset.
/// </summary>
public static class NanoffCommandLines
{
    /// <summary>Where the firmware reads its files on the ESP32's internal flash drive.</summary>
    public const string DeviceConfigPath = @"I:\gate.json";
    public const string DeviceBoardPath = @"I:\board.json";
    public const string DeviceCaPath = @"I:\ca.pem";

    public const string FileDeploymentList = "deploy-files.json";

    /// <summary>
    /// A serial port is printed into commands an installer pastes into a shell, so only the characters of real port
    /// names are accepted (COM5, /dev/ttyUSB0, /dev/cu.usbserial-0001).
    /// </summary>
    public static bool IsValidSerialPort(string? port) =>
        !string.IsNullOrEmpty(port) && port.Length <= 64
        && port.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-');

    /// <param name="clrFile">A locally built nanoCLR image for a board whose stock image does not fit; null for the stock one.</param>
    /// <param name="massErase">
    /// Erase the whole flash first. Only for a device id with no history: the erase resets the boot counter, and alarm
    /// ids ({device}.{boot}.{seq}) would then repeat ids the server already holds and be taken for duplicates.
    /// </param>
    public static IReadOnlyList<string> For(string target, string? clrFile, string serialPort, string applicationImage, string? firmwareVersion, bool massErase = true)
    {
        if (!IsValidSerialPort(serialPort))
        {
            throw new ArgumentException($"serial port '{serialPort}' is not a port name (e.g. COM5 or /dev/ttyUSB0)", nameof(serialPort));
        }

        var firmware = $"nanoff --target {target} --serialport {serialPort} --update" + (massErase ? " --masserase" : "");
        if (!string.IsNullOrWhiteSpace(clrFile))
        {
            // A custom image carries its own version; --fwversion would ask nanoff to download a stock one.
            firmware += $" --clrfile {Quote(clrFile)}";
        }
        else if (!string.IsNullOrWhiteSpace(firmwareVersion))
        {
            firmware += $" --fwversion {firmwareVersion}";
        }

        return
        [
            firmware,
            $"nanoff --target {target} --serialport {serialPort} --deploy --image {Quote(applicationImage)}",
            // The firmware reads gate.json at boot: FLASH.txt says to power-cycle after this step.
            $"nanoff --serialport {serialPort} --filedeployment {FileDeploymentList}",
        ];
    }

    private static string Quote(string path) => path.Contains(' ') ? "\"" + path + "\"" : path;
}
