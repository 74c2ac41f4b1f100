using BenchmarkDotNet.Running;

namespace Gate.Benchmarks;

/// <summary>`dotnet run -c Release --project tests/Gate.Benchmarks -- --filter '*'` (see scripts/bench/micro.sh); `-- firmware-alloc` for the firmware's allocation budget.</summary>
public static class BenchmarkProgram
{
    public static int Main(string[] args)
    {
        // Not a BenchmarkDotNet run: exact allocation counts of the firmware core (Firmware/FirmwareAllocation.cs).
        if (args.Length == 1 && args[0] == "firmware-alloc")
        {
            return Firmware.FirmwareAllocation.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
        return 0;
    }
}
