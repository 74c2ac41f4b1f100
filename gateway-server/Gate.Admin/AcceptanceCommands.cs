using System.CommandLine;
using System.Text.Json.Nodes;

namespace Gate.Admin;

internal static class AcceptanceCommands
{
    public static Command Build(Session session)
    {
        var acceptance = new Command("acceptance", "The recorded acceptance test: prove the panic button reaches the police");
        acceptance.Subcommands.Add(Run(session));
        acceptance.Subcommands.Add(List(session));
        return acceptance;
    }

    private static Command Run(Session session)
    {
        var id = new Argument<string>("device") { Description = "Device id" };
        var technician = new Option<string>("--technician") { Description = "Your name, as it goes into the commissioning record", Required = true };
        var light = new Option<string?>("--light")
        {
            Description = "Answer to 'is the guard's light steady on?' given in advance (yes/no); default: asked when the step comes",
        };
        light.AcceptOnlyFromAmong("yes", "no");
        var run = new Command("run", "Run the acceptance test and print each step as it passes") { id, technician, light };
        run.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var deviceId = parse.GetValue(id)!;
            var started = await api.PostAsync($"/api/provisioning/devices/{Uri.EscapeDataString(deviceId)}/acceptance", new { technician = parse.GetValue(technician) }, ct);
            if (!started.Ok)
            {
                return session.Fail(started.Error);
            }

            var runId = Session.Text(started.Body, "id");
            session.Out.WriteLine($"acceptance test {runId} of {deviceId} started");
            var reported = new HashSet<string>(StringComparer.Ordinal);
            var prompted = new HashSet<string>(StringComparer.Ordinal);
            var body = started.Body!;
            while (true)
            {
                Report(session, body, reported, prompted);
                if (Session.Text(body, "result") != "running")
                {
                    break;
                }

                if (Current(body) == "light" && !prompted.Contains("light-answered"))
                {
                    prompted.Add("light-answered");
                    var answer = parse.GetValue(light) ?? Ask(session);
                    var confirmed = await api.PostAsync($"/api/provisioning/acceptance/{runId}/light", new { seen = answer == "yes" }, ct);
                    if (!confirmed.Ok)
                    {
                        session.Error.WriteLine("warning: " + confirmed.Error);
                    }
                }

                await Task.Delay(session.Context.PollInterval, ct);
                var poll = await api.GetAsync($"/api/provisioning/acceptance/{runId}", ct);
                if (!poll.Ok)
                {
                    return session.Fail(poll.Error);
                }

                body = poll.Body!;
            }

            var result = Session.Text(body, "result");
            if (result == "passed")
            {
                session.Out.WriteLine($"PASSED: {deviceId} is commissioned (record {runId}, technician {Session.Text(body, "technician")}).");
                return 0;
            }

            session.Out.WriteLine($"{result.ToUpperInvariant()} at step {Session.Text(body, "failedStep")}: {Session.Text(body, "detail")}");
            return 1;
        });
        return run;
    }

    private static Command List(Session session)
    {
        var id = new Argument<string>("device") { Description = "Device id" };
        var list = new Command("list", "Every acceptance run of a device, newest first") { id };
        list.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var result = await api.GetAsync($"/api/provisioning/devices/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            foreach (var run in result.Body!["runs"]!.AsArray())
            {
                session.Out.WriteLine($"{Session.Text(run, "id")}  {Session.Time(run, "startedAt")}  {Session.Text(run, "result"),-8} {Session.Text(run, "technician")}"
                    + (run!["failedStep"] is { } f ? $"  failed at {f}: {Session.Text(run, "detail")}" : ""));
                foreach (var step in run["steps"]!.AsArray())
                {
                    session.Out.WriteLine($"    {Session.Text(step, "step"),-12} {Session.Text(step, "result"),-8} {Duration(step)}");
                }
            }

            return 0;
        });
        return list;
    }

    private static void Report(Session session, JsonNode run, HashSet<string> reported, HashSet<string> prompted)
    {
        foreach (var step in run["steps"]!.AsArray())
        {
            var name = Session.Text(step, "step");
            var result = Session.Text(step, "result");
            if (result == "running" && prompted.Add(name) && Session.Text(run, "prompt") is { Length: > 0 } prompt)
            {
                session.Out.WriteLine($">>> {prompt}");
            }

            if (result is "passed" or "failed" && reported.Add(name))
            {
                session.Out.WriteLine($"  {name,-12} {result,-7} {Duration(step),8}  {Session.Text(step, "detail")}");
            }
        }
    }

    private static string? Current(JsonNode run) =>
        run["steps"]!.AsArray().FirstOrDefault(s => Session.Text(s, "result") == "running") is { } s ? Session.Text(s, "step") : null;

    private static string Duration(JsonNode? step) =>
        step?["durationMs"]?.GetValue<long>() is { } ms ? $"{ms / 1000.0:0.0} s" : "";

    private static string Ask(Session session)
    {
        while (true)
        {
            session.Out.Write("Is the guard's light steady on? [yes/no] ");
            var line = session.Context.In.ReadLine();
            if (line is null)
            {
                return "no";
            }

            line = line.Trim().ToLowerInvariant();
            if (line is "y" or "yes")
            {
                return "yes";
            }

            if (line is "n" or "no")
            {
                return "no";
            }
        }
    }
}
