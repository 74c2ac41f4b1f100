namespace Gate.Firmware.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Project_Builds() => Assert.True(true);
}
