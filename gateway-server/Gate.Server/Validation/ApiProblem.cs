using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Validation;

/// <summary>
/// Every refusal of the API in one shape: RFC 7807 ProblemDetails (<c>application/problem+json</c>) with a status, a
/// title and a sentence in <c>detail</c>; field refusals add <c>errors</c> by field name. gate-admin and the status page
/// print <c>detail</c> (or <c>errors</c>), so the sentence is written for the person who sent the request.
/// </summary>
public static class ApiProblem
{
    /// <summary>An id from the URL as the answer repeats it: cut short, since it is whatever the caller typed.</summary>
    public static string Shown(string id) => id.Length > 80 ? id[..80] + "…" : id;

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    /// <summary>400 with <c>errors</c> by field; <c>detail</c> repeats the first refusal for clients that print one line.</summary>
    public static ValidationProblem Invalid(FieldErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.FirstMessage(), title: "Invalid request");

    public static ValidationProblem Invalid(string field, string error) => Invalid(new FieldErrors().Check(field, error));
}
