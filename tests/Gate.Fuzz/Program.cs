using Gate.Fuzz;
using SharpFuzz;

// gate-fuzz TARGET             run one target under afl-fuzz (SharpFuzz's fork server); scripts/fuzz/run.sh does it
// gate-fuzz TARGET --replay DIR run every file of DIR through the target in this process (seeds, crashes found)
// gate-fuzz seed VECTORS CORPUS write the starting corpus of every target from the shared test vectors
if (args.Length == 3 && args[0] == "seed")
{
    Console.WriteLine($"{Seeds.Write(args[1], args[2])} seed file(s) written to {args[2]}");
    return 0;
}

if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine("usage: gate-fuzz TARGET [--replay DIR]; targets: " + string.Join(", ", FuzzTargets.All.Keys));
    return 2;
}

if (args.Length == 3 && args[1] == "--replay")
{
    var files = Directory.GetFiles(args[2]).Order(StringComparer.Ordinal).ToList();
    foreach (var file in files)
    {
        target(File.ReadAllBytes(file));
    }

    Console.WriteLine($"{args[0]}: {files.Count} input(s) replayed, none threw");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
