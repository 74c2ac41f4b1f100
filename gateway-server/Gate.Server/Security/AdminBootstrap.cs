using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.Security;

/// <summary>
/// On a fresh database, creates "admin" so someone can sign in. The password comes from configuration, or is generated
/// and written to a 0600 file next to the database; only the file's path is logged.
/// </summary>
public sealed class AdminBootstrap(UserStore users, GateDatabase database, IOptions<SecurityOptions> options, ILogger<AdminBootstrap> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (users.AnyUser())
        {
            return Task.CompletedTask;
        }

        var configured = options.Value.AdminPassword;
        if (!string.IsNullOrEmpty(configured))
        {
            users.CreateUser("admin", configured, [Roles.Admin]);
            logger.LogInformation("Created user admin with the password from Security:AdminPassword");
            return Task.CompletedTask;
        }

        var password = SecretHasher.NewSecret();
        var folder = Path.GetDirectoryName(database.FilePath)!;
        var file = Path.Combine(folder, options.Value.AdminPasswordFile);
        using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false), DataFiles.PrivateCreate(FileMode.Create)))
        {
            writer.WriteLine(password);
        }

        users.CreateUser("admin", password, [Roles.Admin]);
        logger.LogWarning("Created user admin; its generated password is in {File} (readable only by this account). Change it after signing in.", file);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
