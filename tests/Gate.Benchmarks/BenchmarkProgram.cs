using BenchmarkDotNet.Running;

namespace Gate.Benchmarks;

/// <summary>`dotnet run -c Release --project tests/Gate.Benchmarks -- --filter '*'` (see scripts/bench/micro.sh).</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
