namespace Gate.Admin;

/// <summary>Where gate-admin reads and writes, and how it reaches the server: the console in real use, captured in tests.</summary>
public sealed class AdminContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Answers to prompts (the acceptance test's light question).</summary>
    public required TextReader In { get; init; }

    /// <summary>Creates the HTTP client for a server address; tests hand in the in-memory test server's client.</summary>
    public required Func<Uri, HttpClient> CreateHttpClient { get; init; }

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>How often a running acceptance test is polled.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public static AdminContext FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        CreateHttpClient = baseAddress => new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) },
    };
}
