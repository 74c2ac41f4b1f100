// API-only stand-in for NuGet package nanoFramework.System.Collections 1.5.75 (assembly nanoFramework.System.Collections
// 1.5.75.0), the version nanoFramework.M2Mqtt requires and nanoFramework.props pins. Declarations only, no behaviour.
//
// Checked member by member against nanoframework/System.Collections, folder nanoFramework.System.Collections/Collections:
//   Hashtable.cs (commit 0ff919fb), DictionaryEntry.cs (0ff919fb), IDictionary.cs (db16b6c5),
//   IDictionaryEnumerator.cs (dc99dd42). ArrayList, ICollection, IEnumerable, IEnumerator, IList and ICloneable are not
//   here: they are in mscorlib (nanoFramework.CoreLibrary 1.17.11). Queue, Stack and the generic collections of the
//   2.0 previews are left out: the portable code does not use them.
// Note the device's Hashtable does not handle hash collisions: distinct keys must have distinct GetHashCode values
// (the remark in Hashtable.cs). Our keys are strings.

namespace System.Collections
{
    [Serializable]
    public class DictionaryEntry
    {
        public object Key;
        public object Value;

        public DictionaryEntry(object key, object value) { }
    }

    public interface IDictionary : ICollection
    {
        bool IsReadOnly { get; }
        bool IsFixedSize { get; }
        ICollection Keys { get; }
        ICollection Values { get; }
        object this[object key] { get; set; }
        void Add(object key, object value);
        void Clear();
        bool Contains(object key);
        void Remove(object key);
    }

    public interface IDictionaryEnumerator : IEnumerator
    {
        object Key { get; }
        object Value { get; }
        DictionaryEntry Entry { get; }
    }

    [Serializable]
    public class Hashtable : ICloneable, IDictionary
    {
        public Hashtable() { }
        public Hashtable(int capacity) { }
        public Hashtable(int capacity, float loadFactor) { }

        public object Clone() { throw null; }
        public IEnumerator GetEnumerator() { throw null; }

        public int Count { get { throw null; } }
        public bool IsSynchronized { get { throw null; } }
        public object SyncRoot { get { throw null; } }
        public void CopyTo(Array array, int arrayIndex) { }

        public bool IsReadOnly { get { throw null; } }
        public bool IsFixedSize { get { throw null; } }
        public ICollection Keys { get { throw null; } }
        public ICollection Values { get { throw null; } }
        public object this[object key] { get { throw null; } set { } }
        public void Add(object key, object value) { }
        public void Clear() { }
        public bool Contains(object key) { throw null; }
        public void Remove(object key) { }
    }
}
