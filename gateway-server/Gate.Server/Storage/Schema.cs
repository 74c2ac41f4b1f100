namespace Gate.Server.Storage;

/// <summary>One schema step. Versions never change once released; add a new step instead.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Every feature contributes its own migrations, in its own version range, so features never edit each other's steps:
/// devices and alarms 1-99 (CoreSchema), forwarding 100-199 (ForwardingSchema), provisioning and commissioning 200-299, the monthly return 300-399.
/// </summary>
public static class Schema
{
    public static IEnumerable<Migration> All =>
        CoreSchema.Migrations
            .Concat(Forwarding.ForwardingSchema.Migrations)
            .Concat(Provisioning.ProvisioningSchema.Migrations)
            .Concat(Returns.ReturnsSchema.Migrations);
}
