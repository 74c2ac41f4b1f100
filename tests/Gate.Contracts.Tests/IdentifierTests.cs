namespace Gate.Contracts.Tests;

public class IdentifierTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("gate-01")]
    [InlineData("school-zz-9")]
    [InlineData("a-")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void IsValid_GoodIdentifier_IsAccepted(string id) => Assert.True(Identifier.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("Gate")]
    [InlineData("gate_01")]
    [InlineData("gate.01")]
    [InlineData("gate/01")]
    [InlineData("gate+")]
    [InlineData("#")]
    [InlineData("gate 01")]
    [InlineData("g\u0430te")]
    [InlineData("gate\u0000")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void IsValid_BadIdentifier_IsRefused(string? id) => Assert.False(Identifier.IsValid(id!));

    [Fact]
    public void IsValid_CustomMaxLength_IsHonoured()
    {
        Assert.True(Identifier.IsValid("abcd", 4));
        Assert.False(Identifier.IsValid("abcde", 4));
    }

    [Fact]
    public void AlarmId_IsDeviceBootSequence_AndValid()
    {
        string id = Identifier.AlarmId("gate-01", 7, 3);
        Assert.Equal("gate-01.7.3", id);
        Assert.True(Identifier.IsValidAlarmId(id));
        Assert.True(Identifier.IsValidAlarmId(Identifier.AlarmId(new string('d', 32), int.MaxValue, int.MaxValue)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("gate-01")]
    [InlineData("gate-01.7")]
    [InlineData("gate-01.7.")]
    [InlineData("gate-01..3")]
    [InlineData(".7.3")]
    [InlineData("gate-01.7.3.1")]
    [InlineData("gate-01.-7.3")]
    [InlineData("gate-01.7.x")]
    [InlineData("Gate-01.7.3")]
    [InlineData("gate+01.7.3")]
    [InlineData("gate-01.12345678901.3")]
    public void IsValidAlarmId_Malformed_IsRefused(string? id) => Assert.False(Identifier.IsValidAlarmId(id!));
}
