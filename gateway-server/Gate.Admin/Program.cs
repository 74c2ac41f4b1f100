namespace Gate.Admin;

// Not a top-level program: the test project references both gate-admin and the server, and two global Program
// classes would collide.
internal static class Program
{
    public static Task<int> Main(string[] args) => AdminApp.RunAsync(args, AdminContext.FromConsole());
}
