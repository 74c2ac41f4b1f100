using Gate.Firmware.Inputs;

namespace Gate.Firmware.Core.Tests;

public class InputFilterTests
{
    private static ConditionedInput Chain(params string[] specs)
    {
        Assert.True(ConditionedInput.TryParse(specs, out var input, out var error), error);
        input.Prime(false);
        return input;
    }

    [Fact]
    public void Debounce_BounceShorterThan50ms_IsIgnored()
    {
        var input = ConditionedInput.Debounced(false);
        input.Prime(false);
        Assert.False(input.Update(true, 0));
        Assert.False(input.Update(false, 20));
        Assert.False(input.Update(true, 30));
        Assert.False(input.Update(true, 79));
        Assert.False(input.State);
        Assert.True(input.Update(true, 80));
        Assert.True(input.State);
    }

    [Fact]
    public void DelayedOn_HeldForDelay_EmitsOnPoll_AndOffIsImmediate()
    {
        var input = Chain("delayed_on:100");
        input.Update(true, 0);
        Assert.False(input.Update(true, 99));
        Assert.True(input.Update(true, 100));
        Assert.True(input.State);
        Assert.True(input.Update(false, 101));
        Assert.False(input.State);
    }

    [Fact]
    public void DelayedOff_ShortDrop_IsIgnored()
    {
        var input = Chain("delayed_off:200");
        input.Update(true, 0);
        Assert.True(input.State);
        input.Update(false, 10);
        input.Update(true, 150);
        input.Update(true, 400);
        Assert.True(input.State);
        input.Update(false, 500);
        Assert.True(input.Update(false, 700));
        Assert.False(input.State);
    }

    [Fact]
    public void Settle_FirstEdgeImmediate_ChatterFoldedUntilQuiet()
    {
        var input = Chain("settle:100");
        Assert.True(input.Update(true, 0));
        input.Update(false, 10);
        input.Update(true, 20);
        input.Update(false, 30);
        Assert.True(input.State);
        Assert.False(input.Update(false, 129));
        Assert.True(input.Update(false, 130));
        Assert.False(input.State);
    }

    [Fact]
    public void Invert_ActiveLowContact_ReadsActiveHigh()
    {
        var input = Chain("invert");
        input.Prime(true);
        Assert.False(input.State);
        Assert.True(input.Update(false, 5));
        Assert.True(input.State);
    }

    [Fact]
    public void Prime_MainsAlreadyHigh_NoDelayedEdge()
    {
        var input = ConditionedInput.Debounced(false);
        input.Prime(true);
        Assert.True(input.State);
        Assert.False(input.Update(true, 1000));
    }

    [Theory]
    [InlineData("wobble:5", "unknown filter 'wobble'")]
    [InlineData("delayed_on", "needs a time")]
    [InlineData("settle:abc", "needs milliseconds")]
    [InlineData("delayed_off:999999", "needs milliseconds")]
    public void TryParse_BadSpec_NamesTheProblem(string spec, string expected)
    {
        Assert.False(ConditionedInput.TryParse(new[] { spec }, out _, out var error));
        Assert.Contains(expected, error);
    }
}
