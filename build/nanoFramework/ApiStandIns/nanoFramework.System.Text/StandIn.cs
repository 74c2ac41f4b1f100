// API-only stand-in for NuGet package nanoFramework.System.Text 1.3.42 (assembly nanoFramework.System.Text 1.3.42.0),
// the release built for nanoFramework.CoreLibrary 1.17.11 that nanoFramework.props pins. Declarations only.
//
// Checked against nanoframework/System.Text:
//   StringBuilder: nanoFramework.System.Text/Text/StringBuilder.cs (commit 0b6815f0), every public member.
//   Encoding / UTF8Encoding: the project file nanoFramework.System.Text.nfproj (00aa7147) compiles Text/Encoding.cs and
//   Text/UTF8Encoding.cs into this assembly (nanoFramework's mscorlib has no System.Text at all); those two sources are
//   not in the stored index, so only the members the package's own tests call are declared
//   (Tests/NFUnitTestEncoding/EncodingTests.cs, d0eaddab): Encoding.UTF8, GetBytes(string),
//   GetBytes(string, int, int, byte[], int), GetChars(byte[]), GetChars(byte[], int, int), GetString(byte[], int, int).
//   The same tests record that decoding stops at the first NUL ("All characters will be dropped after the null
//   character in nanoFramework"), which is why the portable decoder refuses NUL before it builds a string.

namespace System.Text
{
    public sealed class StringBuilder
    {
        public StringBuilder() { }
        public StringBuilder(int capacity) { }
        public StringBuilder(string value) { }
        public StringBuilder(string value, int capacity) { }
        public StringBuilder(int capacity, int maxCapacity) { }
        public StringBuilder(string value, int startIndex, int length, int capacity) { }

        public int MaxCapacity { get { throw null; } }
        public char this[int index] { get { throw null; } set { } }
        public int Capacity { get { throw null; } set { } }
        public int Length { get { throw null; } set { } }

        public StringBuilder Clear() { throw null; }
        public StringBuilder Append(bool value) { throw null; }
        public StringBuilder Append(byte value) { throw null; }
        public StringBuilder Append(char value) { throw null; }
        public StringBuilder Append(double value) { throw null; }
        public StringBuilder Append(short value) { throw null; }
        public StringBuilder Append(char[] value) { throw null; }
        public StringBuilder Append(int value) { throw null; }
        public StringBuilder Append(long value) { throw null; }
        public StringBuilder Append(object value) { throw null; }
        public StringBuilder Append(string value) { throw null; }
        public StringBuilder Append(sbyte value) { throw null; }
        public StringBuilder Append(float value) { throw null; }
        public StringBuilder Append(ushort value) { throw null; }
        public StringBuilder Append(uint value) { throw null; }
        public StringBuilder Append(ulong value) { throw null; }
        public StringBuilder Append(string value, int startIndex, int count) { throw null; }
        public StringBuilder Append(char[] value, int startIndex, int charCount) { throw null; }
        public StringBuilder Append(char value, int repeatCount) { throw null; }
        public StringBuilder AppendLine() { throw null; }
        public StringBuilder AppendLine(string str) { throw null; }
        public StringBuilder Remove(int startIndex, int length) { throw null; }
        public StringBuilder Insert(int index, string value, int count) { throw null; }
        public StringBuilder Insert(int index, char[] value, int startIndex, int charCount) { throw null; }
        public StringBuilder Replace(char oldChar, char newChar) { throw null; }
        public StringBuilder Replace(char oldChar, char newChar, int startIndex, int count) { throw null; }
        public StringBuilder Replace(string oldValue, string newValue) { throw null; }
        public StringBuilder Replace(string oldValue, string newValue, int startIndex, int count) { throw null; }
        public override string ToString() { throw null; }
        public string ToString(int startIndex, int length) { throw null; }
    }

    public abstract class Encoding
    {
        public static Encoding UTF8 { get { throw null; } }

        public virtual byte[] GetBytes(string s) { throw null; }
        public virtual int GetBytes(string s, int charIndex, int charCount, byte[] bytes, int byteIndex) { throw null; }
        public virtual char[] GetChars(byte[] bytes) { throw null; }
        public virtual char[] GetChars(byte[] bytes, int byteIndex, int byteCount) { throw null; }
        public virtual string GetString(byte[] bytes, int index, int count) { throw null; }
    }

    public class UTF8Encoding : Encoding
    {
        public UTF8Encoding() { }
    }
}
