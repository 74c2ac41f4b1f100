using Gate.Server.Storage;

namespace Gate.Server.Forwarding;

/// <summary>The forwarding outbox and delivery trail. Versions 100-199.</summary>
public static class ForwardingSchema
{
    public static readonly Migration[] Migrations =
    [
    ];
}
