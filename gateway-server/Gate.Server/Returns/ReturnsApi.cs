using System.Security.Claims;
using Gate.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Returns;

/// <summary>This month (on the offices' clock) and the months already closed.</summary>
public sealed record ReturnIndex(string CurrentMonth, IReadOnlyList<string> Closed);

/// <summary>
/// /api/returns: the monthly statistics return. Anyone signed in reads it; figures are entered, and months closed, by
/// an education office, a technician or an admin. Refusals: 400 ValidationProblem naming the field, 404 for an unknown
/// school, 409 ProblemDetails when the month is already closed.
/// </summary>
public static class ReturnsApi
{
    public static IEndpointRouteBuilder MapReturns(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/returns").WithTags("Returns").RequireAuthorization(Policies.View);

        group.MapGet("/columns", () => TypedResults.Ok(ReturnColumns.All));
        group.MapGet("/", (ReturnBook book) => TypedResults.Ok(new ReturnIndex(book.CurrentMonth(), book.ClosedMonths())));

        group.MapGet("/{month}", Results<Ok<MonthlyReturn>, ValidationProblem> (string month, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error) : TypedResults.Ok(book.Find(month)));

        group.MapGet("/{month}/export.xlsx", Results<FileContentHttpResult, ValidationProblem> (string month, string? lang, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : TypedResults.File(ReturnSheet.Of(book.Find(month), lang == "en").ToXlsx(month),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"gate-return-{month}.xlsx"));

        group.MapGet("/{month}/export.csv", Results<FileContentHttpResult, ValidationProblem> (string month, string? lang, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : TypedResults.File(ReturnSheet.Of(book.Find(month), lang == "en").ToCsv(), "text/csv; charset=utf-8", $"gate-return-{month}.csv"));

        group.MapPost("/{month}/close", Results<Ok<MonthlyReturn>, ValidationProblem, ProblemHttpResult> (string month, ReturnBook book, ClaimsPrincipal user) =>
            {
                var outcome = book.Close(month, Actor(user));
                return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                    : outcome.Refusal is not null ? Closed(month)
                    : TypedResults.Ok(outcome.Value!);
            })
            .RequireAuthorization(Policies.EnterReturns);

        group.MapGet("/{month}/changes", Results<Ok<ReturnChanges>, ValidationProblem, ProblemHttpResult> (string month, string? since, ReturnBook book) =>
        {
            var from = since ?? (book.CheckMonth(month) is null ? ReturnBook.PreviousMonth(month) : "");
            var outcome = book.Changes(month, from);
            return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                : outcome.Refusal is not null ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Month not closed",
                    detail: $"{from} is not closed; a month is compared with a closed one (POST /api/returns/{from}/close)")
                : TypedResults.Ok(outcome.Value!);
        });

        group.MapGet("/schools/{schoolId}/{month}", Results<Ok<ReturnSchoolEntries>, NotFound, ValidationProblem> (string schoolId, string month, ReturnBook book) =>
            book.CheckMonth(month) is { } error ? MonthProblem(error)
                : book.Entries(schoolId, month) is { } entries ? TypedResults.Ok(entries) : TypedResults.NotFound());

        group.MapPut("/schools/{schoolId}/{month}", Results<Ok<ReturnSchoolEntries>, NotFound, ValidationProblem, ProblemHttpResult> (
                string schoolId, string month, ReturnEntryRequest request, ReturnBook book, ClaimsPrincipal user) =>
            {
                var outcome = book.Enter(schoolId, month, request, Actor(user));
                return outcome.Errors is { } errors ? TypedResults.ValidationProblem(errors.ToDictionary())
                    : outcome.Refusal == ReturnRefusal.UnknownSchool ? TypedResults.NotFound()
                    : outcome.Refusal is not null ? Closed(month)
                    : TypedResults.Ok(outcome.Value!);
            })
            .RequireAuthorization(Policies.EnterReturns);

        return app;
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static ValidationProblem MonthProblem(string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["month"] = [error] });

    private static ProblemHttpResult Closed(string month) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Month closed", detail: $"the return for {month} is closed and kept as it was");
}
