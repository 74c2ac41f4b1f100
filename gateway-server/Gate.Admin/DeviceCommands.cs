using System.CommandLine;
using System.Text;

namespace Gate.Admin;

internal static class DeviceCommands
{
    public static Command Build(Session session)
    {
        var device = new Command("device", "Register, configure, replace and decommission gate controllers");
        device.Subcommands.Add(Add(session));
        device.Subcommands.Add(Show(session));
        device.Subcommands.Add(Bundle(session));
        device.Subcommands.Add(Replace(session));
        device.Subcommands.Add(Decommission(session));
        return device;
    }

    private static Command Add(Session session)
    {
        var id = new Option<string>("--id") { Description = "Device id: 1-32 of a-z, 0-9, '-'", Required = true };
        var school = new Option<string>("--school") { Description = "School id", Required = true };
        var role = new Option<string>("--role") { Description = "gate (gate controller) or bollard (bollard controller)", DefaultValueFactory = _ => "gate" };
        var board = new Option<string>("--board") { Description = "Board id (gate-admin board list)", Required = true };
        var place = new Option<string?>("--place") { Description = "Where it stands, e.g. \"north gate, guard booth\"" };
        var heartbeat = new Option<int?>("--heartbeat") { Description = "Heartbeat interval in seconds (5-300, default 30)" };
        var add = new Command("add", "Register a device; its credential is printed once") { id, school, role, board, place, heartbeat };
        add.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var result = await api.PostAsync("/api/provisioning/devices", new
            {
                id = parse.GetValue(id),
                schoolId = parse.GetValue(school),
                role = parse.GetValue(role),
                board = parse.GetValue(board),
                place = parse.GetValue(place),
                heartbeatIntervalSeconds = parse.GetValue(heartbeat),
            }, ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            PrintIssued(session, result.Body!, "registered");
            return 0;
        });
        return add;
    }

    private static Command Show(Session session)
    {
        var id = new Argument<string>("device") { Description = "Device id" };
        var show = new Command("show", "Liveness, inputs, placement and commissioning of a device") { id };
        show.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var deviceId = Uri.EscapeDataString(parse.GetValue(id)!);
            var device = await api.GetAsync($"/api/devices/{deviceId}", ct);
            if (!device.Ok)
            {
                return session.Fail(device.Status == System.Net.HttpStatusCode.NotFound ? $"device '{parse.GetValue(id)}' not found" : device.Error);
            }

            var provisioning = await api.GetAsync($"/api/provisioning/devices/{deviceId}", ct);
            var d = device.Body!;
            var live = d["liveness"];
            var telemetry = live?["telemetry"];
            var o = session.Out;
            o.WriteLine($"device    {Session.Text(d, "id")} (school {Session.Text(d, "schoolId")}, role {Session.Text(d, "role")})");
            o.WriteLine($"state     {Session.Text(live, "state")} since {Session.Time(live, "since")}, last seen {Session.Time(live, "lastSeen")}");
            o.WriteLine($"firmware  {Session.Text(d, "firmware")}   credential {(d["credentialRevoked"]?.GetValue<bool>() == true ? "REVOKED" : "valid")}");
            if (telemetry is not null)
            {
                o.WriteLine($"inputs    panic {Session.Text(telemetry, "panic")}, duress {Session.Text(telemetry, "duress")}, tamper {Session.Text(telemetry, "tamper")}, bollard {Session.Text(telemetry, "bollard")}, barrier {Session.Text(telemetry, "barrier")}");
                o.WriteLine($"power     mains {Session.Text(telemetry, "mains")}, battery {Session.Text(telemetry, "batteryMillivolts")} mV   outbox {Session.Text(telemetry, "outboxDepth")}   rssi {Session.Text(telemetry, "rssi")}");
            }

            if (provisioning.Ok)
            {
                var placement = provisioning.Body!["placement"];
                if (placement is not null)
                {
                    o.WriteLine($"placement board {Session.Text(placement, "board")}, place '{Session.Text(placement, "place")}', {Session.Text(placement, "status")}"
                        + (placement["replaces"] is { } r ? $", replaces {r}" : "")
                        + (placement["replacedBy"] is { } rb ? $", replaced by {rb}" : ""));
                }

                var record = provisioning.Body!["commissioning"];
                o.WriteLine(record is null
                    ? "commissioning: NOT COMMISSIONED (no passed acceptance test)"
                    : $"commissioning: passed {Session.Time(record, "finishedAt")} by {Session.Text(record, "technician")} ({Session.Text(record, "id")})");
            }

            return 0;
        });
        return show;
    }

    private static Command Bundle(Session session)
    {
        var id = new Argument<string>("device") { Description = "Device id" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the bundle to (created; must be empty)", Required = true };
        var port = new Option<string?>("--port") { Description = "Serial port of the board, e.g. /dev/ttyUSB0 or COM5" };
        var ssid = new Option<string?>("--wifi-ssid") { Description = "School Wi-Fi network (Wi-Fi boards)" };
        var passwordVariable = new Option<string?>("--wifi-password-env") { Description = "Name of the environment variable holding the Wi-Fi password" };
        var pins = new Option<string[]>("--pin") { Description = "Pin as wired, if different from the board's: function=GPIO or function=none (repeatable)", AllowMultipleArgumentsPerToken = false };
        var bundle = new Command("bundle", "Issue a new credential and write the device's configuration bundle and nanoff commands")
        {
            id, output, port, ssid, passwordVariable, pins,
        };
        bundle.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var folder = parse.GetValue(output)!;
            if (folder.Exists && folder.EnumerateFileSystemInfos().Any())
            {
                return session.Fail($"'{folder.FullName}' is not empty: the bundle goes into a folder of its own");
            }

            string? password = null;
            if (parse.GetValue(passwordVariable) is { } variable)
            {
                password = session.Context.Environment(variable);
                if (password is null)
                {
                    return session.Fail($"environment variable '{variable}' is not set");
                }
            }

            var pinMap = new Dictionary<string, int?>(StringComparer.Ordinal);
            foreach (var pin in parse.GetValue(pins) ?? [])
            {
                var parts = pin.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0)
                {
                    return session.Fail($"--pin '{pin}' must be function=GPIO or function=none");
                }

                if (parts[1] is "none" or "null")
                {
                    pinMap[parts[0]] = null;
                }
                else if (int.TryParse(parts[1], out var gpio))
                {
                    pinMap[parts[0]] = gpio;
                }
                else
                {
                    return session.Fail($"--pin '{pin}': '{parts[1]}' is not a GPIO number");
                }
            }

            var deviceId = parse.GetValue(id)!;
            var result = await api.PostAsync($"/api/provisioning/devices/{Uri.EscapeDataString(deviceId)}/bundle", new
            {
                serialPort = parse.GetValue(port),
                wifiSsid = parse.GetValue(ssid),
                wifiPassword = password,
                pins = pinMap.Count == 0 ? null : pinMap,
            }, ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            // gate.json holds the device credential and the Wi-Fi password: the folder 0700, its files 0600, created so.
            if (OperatingSystem.IsWindows())
            {
                folder.Create();
            }
            else
            {
                Directory.CreateDirectory(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            foreach (var file in result.Body!["files"]!.AsArray())
            {
                var name = Session.Text(file, "name");
                if (name.Length == 0 || name != Path.GetFileName(name))
                {
                    return session.Fail($"the server sent a bundle file with an unsafe name '{name}'");
                }

                var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                await using (var writer = new StreamWriter(Path.Combine(folder.FullName, name), new UTF8Encoding(false), options))
                {
                    await writer.WriteAsync(Session.Text(file, "content").AsMemory(), ct);
                }
            }

            session.Out.WriteLine($"bundle for {deviceId} (board {Session.Text(result.Body, "board")}) written to {folder.FullName}");
            session.Out.WriteLine("A new credential was issued: the previous one no longer works. The bundle holds it in clear: delete the folder after flashing.");
            foreach (var warning in result.Body!["warnings"]!.AsArray())
            {
                session.Out.WriteLine("warning: " + warning);
            }

            session.Out.WriteLine();
            session.Out.WriteLine($"From {folder.FullName}, run:");
            foreach (var command in result.Body!["commands"]!.AsArray())
            {
                session.Out.WriteLine("  " + command);
            }

            return 0;
        });
        return bundle;
    }

    private static Command Replace(Session session)
    {
        var id = new Argument<string>("device") { Description = "The device being replaced" };
        var newId = new Option<string>("--new-id") { Description = "Id of the new controller", Required = true };
        var board = new Option<string?>("--board") { Description = "Board of the new controller (default: the old one's)" };
        var replace = new Command("replace", "Revoke a device's credential and register a new controller in its place") { id, newId, board };
        replace.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var oldId = parse.GetValue(id)!;
            var result = await api.PostAsync($"/api/provisioning/devices/{Uri.EscapeDataString(oldId)}/replace", new { newId = parse.GetValue(newId), board = parse.GetValue(board) }, ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            session.Out.WriteLine($"{oldId}: credential revoked, history kept, marked replaced.");
            PrintIssued(session, result.Body!, $"registered in its place");
            session.Out.WriteLine("Run the acceptance test again once the new controller is installed.");
            return 0;
        });
        return replace;
    }

    private static Command Decommission(Session session)
    {
        var id = new Argument<string>("device") { Description = "Device id" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept with the device's history)" };
        var decommission = new Command("decommission", "Take a device out of service: credential revoked at once, history kept") { id, reason };
        decommission.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var deviceId = parse.GetValue(id)!;
            var result = await api.PostAsync($"/api/provisioning/devices/{Uri.EscapeDataString(deviceId)}/decommission", new { reason = parse.GetValue(reason) }, ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            session.Out.WriteLine($"{deviceId} decommissioned ({Session.Text(result.Body, "statusReason")}): credential revoked, history kept.");
            return 0;
        });
        return decommission;
    }

    private static void PrintIssued(Session session, System.Text.Json.Nodes.JsonNode body, string what)
    {
        var o = session.Out;
        o.WriteLine($"device {Session.Text(body, "deviceId")} {what} (school {Session.Text(body, "schoolId")}, role {Session.Text(body, "role")}, board {Session.Text(body, "board")})");
        o.WriteLine($"MQTT username / client id: {Session.Text(body, "username")}");
        o.WriteLine($"credential (shown once, stored only as a hash): {Session.Text(body, "password")}");
        o.WriteLine($"Next: gate-admin device bundle {Session.Text(body, "deviceId")} --out ./{Session.Text(body, "deviceId")} (issues the credential into the bundle)");
    }
}
