namespace Gate.Server.Validation;

/// <summary>
/// The limits of one stored text field: how long, whether it may be empty, whether it may hold line breaks. Control
/// characters (NUL, escape sequences) are never accepted: they end strings on the device and garble logs and CSV.
/// </summary>
public sealed record TextRule(int MaxLength, bool Required = false, bool Multiline = false)
{
    /// <summary>Null when the value is acceptable, else the sentence for the 400 answer.</summary>
    public string? Check(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Required ? Describe() : null;
        }

        if (value.Length > MaxLength)
        {
            return Describe();
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && !(Multiline && c is '\n' or '\r' or '\t'))
            {
                return Describe();
            }
        }

        return null;
    }

    public string Describe() =>
        (Required ? "required, " : "") + $"at most {MaxLength} characters" + (Multiline ? ", no control characters" : ", one line, no control characters");
}
