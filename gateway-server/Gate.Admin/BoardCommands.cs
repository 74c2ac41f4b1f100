using System.CommandLine;

namespace Gate.Admin;

internal static class BoardCommands
{
    public static Command Build(Session session)
    {
        var board = new Command("board", "Supported controller boards (hardware/boards)");
        var list = new Command("list", "List the boards a device can be provisioned for");
        list.SetAction(async (parse, ct) =>
        {
            var api = session.Connect(parse);
            if (api is null)
            {
                return 1;
            }

            var result = await api.GetAsync("/api/provisioning/boards", ct);
            if (!result.Ok)
            {
                return session.Fail(result.Error);
            }

            foreach (var b in result.Body!["boards"]!.AsArray())
            {
                session.Out.WriteLine($"{Session.Text(b, "id"),-24} {Session.Text(b, "network"),-9} nanoff target {Session.Text(b, "nanoffTarget"),-14} {Session.Text(b, "title")}");
            }

            foreach (var e in result.Body!["errors"]!.AsArray())
            {
                session.Error.WriteLine("board file refused: " + e);
            }

            return 0;
        });
        board.Subcommands.Add(list);
        return board;
    }
}
