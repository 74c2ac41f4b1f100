using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Gate.Server.Returns;

/// <summary>A cell range merged in the sheet, zero-based and inclusive.</summary>
public sealed record SheetMerge(int FirstRow, int FirstColumn, int LastRow, int LastColumn);

/// <summary>
/// The return in the annex's layout: a title row, two heading rows (the group over its columns, a column that is its own
/// group standing through both rows, "地区" at the left through both), then each city's districts and the city's sum,
/// then the province's total. Cells are text or whole numbers. The XLSX and the CSV are both drawn from this.
/// </summary>
public sealed record ReturnSheet(IReadOnlyList<IReadOnlyList<object?>> Rows, IReadOnlyList<SheetMerge> Merges)
{
    public const int HeadingRows = 3;

    public static ReturnSheet Of(MonthlyReturn report, bool english)
    {
        var columns = report.Columns;
        var width = columns.Count + 1;
        var rows = new List<IReadOnlyList<object?>>();
        var merges = new List<SheetMerge>();

        var month = DateTime.ParseExact(report.Month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        rows.Add(Pad(width, english
            ? $"{(report.Province.Length > 0 ? report.Province + ": s" : "S")}chool security statistics, {month.ToString("MMMM yyyy", CultureInfo.InvariantCulture)}"
            : $"{(report.Province.Length > 0 ? report.Province : "全省")}学校安全防范建设情况统计表（{month.Year}年{month.Month}月）"));
        merges.Add(new SheetMerge(0, 0, 0, width - 1));

        var groups = new object?[width];
        var headings = new object?[width];
        groups[0] = english ? "District" : "地区";
        merges.Add(new SheetMerge(1, 0, 2, 0));
        for (var i = 0; i < columns.Count;)
        {
            var group = columns[i].Group(english);
            var end = i;
            while (end + 1 < columns.Count && columns[end + 1].Group(english) == group)
            {
                end++;
            }

            groups[i + 1] = group;
            if (end == i && group == columns[i].Heading(english))
            {
                merges.Add(new SheetMerge(1, i + 1, 2, i + 1));
            }
            else
            {
                for (var c = i; c <= end; c++)
                {
                    headings[c + 1] = columns[c].Heading(english);
                }

                if (end > i)
                {
                    merges.Add(new SheetMerge(1, i + 1, 1, end + 1));
                }
            }

            i = end + 1;
        }

        rows.Add(groups);
        rows.Add(headings);

        foreach (var city in report.Cities)
        {
            var alone = city.Districts.Count == 1 && city.Districts[0].District == city.City;
            if (!alone)
            {
                foreach (var district in city.Districts)
                {
                    rows.Add(Line(Place(district.District, english), district.Values, columns));
                }
            }

            rows.Add(Line(alone ? Place(city.City, english) : Place(city.City, english) + (english ? " subtotal" : " 小计"), city.Totals, columns));
        }

        rows.Add(Line(english ? "Total" : "合计", report.Totals, columns));
        return new ReturnSheet(rows, merges);
    }

    /// <summary>The sheet as one worksheet, merged headings bold and centred, every cell bordered as in the printed form.</summary>
    public byte[] ToXlsx(string sheetName)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = Styles();

            var data = new SheetData();
            for (var r = 0; r < Rows.Count; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < Rows[r].Count; c++)
                {
                    var style = r < HeadingRows ? 1u : c == 0 ? 2u : 3u;
                    row.Append(Rows[r][c] switch
                    {
                        int n => new Cell { CellReference = Reference(r, c), StyleIndex = style, DataType = CellValues.Number, CellValue = new CellValue(n) },
                        string s => new Cell { CellReference = Reference(r, c), StyleIndex = style, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(s)) },
                        _ => new Cell { CellReference = Reference(r, c), StyleIndex = style },
                    });
                }

                data.Append(row);
            }

            var widths = new Columns(new Column { Min = 1, Max = 1, Width = 18, CustomWidth = true });
            var width = Rows.Max(r => r.Count);
            if (width > 1)
            {
                widths.Append(new Column { Min = 2, Max = (uint)width, Width = 14, CustomWidth = true });
            }

            var part = workbook.AddNewPart<WorksheetPart>();
            part.Worksheet = new Worksheet(widths, data,
                new MergeCells(Merges.Select(m => new MergeCell { Reference = Reference(m.FirstRow, m.FirstColumn) + ":" + Reference(m.LastRow, m.LastColumn) })));
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = sheetName }));
        }

        return stream.ToArray();
    }

    /// <summary>
    /// The sheet without its title as CSV, UTF-8 with a BOM (what Excel on a Chinese desktop needs): the group row, the
    /// heading row (a column that is its own group repeats its heading), then the rows.
    /// </summary>
    public byte[] ToCsv()
    {
        var csv = new StringBuilder();
        for (var r = 1; r < Rows.Count; r++)
        {
            var cells = Rows[r].Select((cell, c) => r == 2 && cell is null && c > 0 ? Rows[1][c] : cell);
            csv.Append(string.Join(",", cells.Select(cell => Escape(cell switch
            {
                int n => n.ToString(CultureInfo.InvariantCulture),
                string s => s,
                _ => "",
            })))).Append("\r\n");
        }

        return Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray();
    }

    /// <summary>"A1"-style reference of a zero-based row and column.</summary>
    public static string Reference(int row, int column)
    {
        var letters = "";
        for (var c = column + 1; c > 0; c = (c - 1) / 26)
        {
            letters = (char)('A' + (c - 1) % 26) + letters;
        }

        return letters + (row + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string Place(string name, bool english) => name.Length > 0 ? name : english ? "(no district)" : "（未填地区）";

    private static object?[] Line(string label, IReadOnlyDictionary<string, int> values, IReadOnlyList<ReturnColumn> columns) =>
        [label, .. columns.Select(c => (object?)values.GetValueOrDefault(c.Key))];

    private static object?[] Pad(int width, string first)
    {
        var row = new object?[width];
        row[0] = first;
        return row;
    }

    /// <summary>RFC 4180 quoting, and a leading quote mark on text a spreadsheet would run as a formula.</summary>
    private static string Escape(string cell)
    {
        if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' && !int.TryParse(cell, CultureInfo.InvariantCulture, out _))
        {
            cell = "'" + cell;
        }

        return cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }

    private static Stylesheet Styles()
    {
        var thin = new Border(
            new LeftBorder { Style = BorderStyleValues.Thin }, new RightBorder { Style = BorderStyleValues.Thin },
            new TopBorder { Style = BorderStyleValues.Thin }, new BottomBorder { Style = BorderStyleValues.Thin }, new DiagonalBorder());
        return new Stylesheet(
            new Fonts(new Font(), new Font(new Bold())),
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
            new Borders(new Border(), thin),
            new CellFormats(
                new CellFormat(),
                new CellFormat(new Alignment { Horizontal = HorizontalAlignmentValues.Center, Vertical = VerticalAlignmentValues.Center, WrapText = true })
                    { FontId = 1, BorderId = 1, ApplyFont = true, ApplyBorder = true, ApplyAlignment = true },
                new CellFormat { BorderId = 1, ApplyBorder = true },
                new CellFormat(new Alignment { Horizontal = HorizontalAlignmentValues.Right }) { BorderId = 1, ApplyBorder = true, ApplyAlignment = true }));
    }
}
