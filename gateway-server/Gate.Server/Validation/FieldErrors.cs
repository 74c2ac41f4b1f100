namespace Gate.Server.Validation;

/// <summary>Refusals by field name, in the shape of a 400 ValidationProblem's <c>errors</c> dictionary.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    /// <summary>Records <paramref name="error"/> for the field unless it is null (the field passed).</summary>
    public FieldErrors Check(string field, string? error)
    {
        if (error is not null && !_errors.ContainsKey(field))
        {
            _errors[field] = [error];
        }

        return this;
    }

    public Dictionary<string, string[]> ToDictionary() => new(_errors, StringComparer.Ordinal);

    /// <summary>"field: sentence" of the first refusal, for answers that carry one message.</summary>
    public string? FirstMessage() => _errors.Count == 0 ? null : _errors.Select(e => $"{e.Key}: {e.Value[0]}").First();
}
