using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gate.Admin;

/// <summary>The result of one API call: the JSON body when it succeeded, else a sentence to print.</summary>
public readonly record struct ApiResult(bool Ok, HttpStatusCode Status, JsonNode? Body, string Error);

/// <summary>The gateway server's JSON API as gate-admin uses it. Never throws for an HTTP or network failure.</summary>
public sealed class GateApiClient(HttpClient http, string apiKey)
{
    public Task<ApiResult> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<ApiResult> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    public Task<ApiResult> PutAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, ct);

    private async Task<ApiResult> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: AdminJson.Options);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            return new ApiResult(false, 0, null, $"cannot reach the server at {http.BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ApiResult(false, 0, null, $"the server at {http.BaseAddress} did not answer in time");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? json = null;
            try
            {
                json = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's error page, plain text): reported below as text.
            }

            if (response.IsSuccessStatusCode)
            {
                return new ApiResult(true, response.StatusCode, json, "");
            }

            return new ApiResult(false, response.StatusCode, json, Describe(response.StatusCode, json, text));
        }
    }

    private static string Describe(HttpStatusCode status, JsonNode? json, string text)
    {
        // The server answers every refusal as ProblemDetails: field refusals in "errors", anything else in "detail".
        if (json?["errors"] is JsonObject errors && errors.Count > 0)
        {
            return string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value!.AsArray().Select(v => v!.GetValue<string>()))}"));
        }

        if (status == HttpStatusCode.Unauthorized)
        {
            return "not signed in: the API key is missing, wrong or revoked (GATE_API_KEY)";
        }

        if (json?["detail"] is JsonValue detail && detail.TryGetValue<string>(out var sentence) && sentence.Length > 0)
        {
            return sentence;
        }

        return status switch
        {
            HttpStatusCode.Forbidden => "the API key's role may not do this",
            HttpStatusCode.NotFound => "not found",
            _ => $"the server answered {(int)status} {status}{(text.Length is > 0 and < 300 ? ": " + text : "")}",
        };
    }
}

internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
