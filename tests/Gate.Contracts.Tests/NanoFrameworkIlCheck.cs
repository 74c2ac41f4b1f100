using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Gate.Contracts.Tests;

/// <summary>One thing in a compiled assembly that the nanoFramework 1.x runtime cannot load or resolve.</summary>
public sealed record IlFinding(string Member, string Problem)
{
    public override string ToString() => Member + ": " + Problem;
}

/// <summary>
/// Reads a compiled assembly's metadata and IL (System.Reflection.Metadata) and reports what compiles against
/// nanoFramework's mscorlib but cannot run on the 1.x runtime: generic type definitions, generic methods, generic
/// instantiations (mscorlib 1.17 declares <c>Action&lt;T&gt;</c>, <c>Func&lt;T,TResult&gt;</c>,
/// <c>EventHandler&lt;T&gt;</c>, and the runtime crashes loading an assembly that uses them), multi-dimensional arrays,
/// and references to assemblies, types or members that are not in the nanoFramework references given.
/// </summary>
public static class NanoFrameworkIlCheck
{
    public static IReadOnlyList<IlFinding> Check(byte[] image, IEnumerable<string> referencePaths)
    {
        var references = referencePaths.Select(ReferenceApi.Load).ToDictionary(r => r.Name, StringComparer.Ordinal);
        using var pe = new PEReader(ImmutableArray.Create(image));
        return new Checker(pe, references).Run();
    }

    /// <summary>Every method and constructor the IL of one type's methods calls, as "Type::Name".</summary>
    public static IReadOnlySet<string> CallsFrom(byte[] image, string typeFullName)
    {
        using var pe = new PEReader(ImmutableArray.Create(image));
        var md = pe.GetMetadataReader();
        var checker = new Checker(pe, []);
        var calls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var typeHandle in md.TypeDefinitions)
        {
            string name = checker.Name(typeHandle);
            if (name != typeFullName && !name.StartsWith(typeFullName + "/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var methodHandle in md.GetTypeDefinition(typeHandle).GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }

                foreach (var token in Tokens(pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader()))
                {
                    if (token.Kind == HandleKind.MemberReference)
                    {
                        var member = md.GetMemberReference((MemberReferenceHandle)token);
                        calls.Add(checker.TypeName(member.Parent) + "::" + md.GetString(member.Name));
                    }
                    else if (token.Kind == HandleKind.MethodDefinition)
                    {
                        var target = md.GetMethodDefinition((MethodDefinitionHandle)token);
                        calls.Add(checker.Name(target.GetDeclaringType()) + "::" + md.GetString(target.Name));
                    }
                }
            }
        }

        return calls;
    }

    private sealed class Checker(PEReader pe, Dictionary<string, ReferenceApi> references)
    {
        private readonly MetadataReader _md = pe.GetMetadataReader();
        private readonly List<IlFinding> _findings = [];
        // Which methods' IL uses a token, so a finding names the code that uses the construct.
        private readonly Dictionary<EntityHandle, string> _firstUser = [];

        public List<IlFinding> Run()
        {
            foreach (var typeHandle in _md.TypeDefinitions)
            {
                var type = _md.GetTypeDefinition(typeHandle);
                string typeName = Name(typeHandle);
                if (type.GetGenericParameters().Count > 0)
                {
                    Add(typeName, "generic type definition");
                }

                if (!type.BaseType.IsNil)
                {
                    CheckTypeHandle(typeName, type.BaseType, "base type");
                }

                foreach (var implHandle in type.GetInterfaceImplementations())
                {
                    CheckTypeHandle(typeName, _md.GetInterfaceImplementation(implHandle).Interface, "interface");
                }

                foreach (var fieldHandle in type.GetFields())
                {
                    var field = _md.GetFieldDefinition(fieldHandle);
                    string fieldName = typeName + "." + _md.GetString(field.Name);
                    Decode(fieldName, "field type", p => field.DecodeSignature(p, null));
                }

                foreach (var methodHandle in type.GetMethods())
                {
                    CheckMethod(typeName, methodHandle);
                }
            }

            // A type reached only through a member (Helper in Helper.Help()) is named by that member's user.
            foreach (var handle in _md.MemberReferences)
            {
                if (_firstUser.TryGetValue(handle, out var user))
                {
                    _firstUser.TryAdd(_md.GetMemberReference(handle).Parent, user);
                }
            }

            CheckReferencedTables();
            return _findings;
        }

        private void CheckMethod(string typeName, MethodDefinitionHandle handle)
        {
            var method = _md.GetMethodDefinition(handle);
            string name = typeName + "." + _md.GetString(method.Name);
            if (method.GetGenericParameters().Count > 0)
            {
                Add(name, "generic method");
            }

            Decode(name, "signature", p => method.DecodeSignature(p, null));
            if (method.RelativeVirtualAddress == 0)
            {
                return;
            }

            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                var locals = _md.GetStandaloneSignature(body.LocalSignature);
                Decode(name, "local variable", p => locals.DecodeLocalSignature(p, null));
            }

            foreach (var token in Tokens(body.GetILReader()))
            {
                _firstUser.TryAdd(token, name);
            }
        }

        /// <summary>The TypeSpec, MemberRef and MethodSpec tables, each entry named by the first method using it.</summary>
        private void CheckReferencedTables()
        {
            foreach (var handle in _md.AssemblyReferences)
            {
                string name = _md.GetString(_md.GetAssemblyReference(handle).Name);
                if (!references.ContainsKey(name))
                {
                    Add("assembly reference " + name, "not one of the nanoFramework assemblies referenced (" + string.Join(", ", references.Keys) + ")");
                }
            }

            foreach (var handle in _md.TypeReferences)
            {
                CheckTypeReference(User(handle), handle);
            }

            for (int row = 1; row <= _md.GetTableRowCount(TableIndex.TypeSpec); row++)
            {
                var handle = MetadataTokens.TypeSpecificationHandle(row);
                var spec = _md.GetTypeSpecification(handle);
                Decode(User(handle), "type", p => spec.DecodeSignature(p, null));
            }

            for (int row = 1; row <= _md.GetTableRowCount(TableIndex.MethodSpec); row++)
            {
                var handle = MetadataTokens.MethodSpecificationHandle(row);
                var spec = _md.GetMethodSpecification(handle);
                Add(User(handle), "generic method instantiation " + MethodName(spec.Method));
            }

            foreach (var handle in _md.MemberReferences)
            {
                var member = _md.GetMemberReference(handle);
                string user = User(handle);
                string memberName = _md.GetString(member.Name);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    Decode(user, "call to " + memberName, p => member.DecodeMethodSignature(p, null));
                }
                else
                {
                    Decode(user, "field " + memberName, p => member.DecodeFieldSignature(p, null));
                }

                if (member.Parent.Kind == HandleKind.TypeReference)
                {
                    var parent = (TypeReferenceHandle)member.Parent;
                    var api = Api(parent);
                    string typeName = FullName(parent);
                    if (api != null && api.Types.TryGetValue(typeName, out var members) && !members.Contains(memberName))
                    {
                        Add(user, "member " + typeName + "." + memberName + " is not in " + api.Name + " " + api.Version);
                    }
                }
            }
        }

        private void CheckTypeReference(string user, TypeReferenceHandle handle)
        {
            var api = Api(handle);
            string typeName = FullName(handle);
            var scope = Outermost(handle);
            if (scope.Kind != HandleKind.AssemblyReference)
            {
                return;
            }

            string assembly = _md.GetString(_md.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
            if (api == null)
            {
                Add(user, "type " + typeName + " is from " + assembly + ", outside the nanoFramework assemblies");
            }
            else if (!api.Types.ContainsKey(typeName))
            {
                Add(user, "type " + typeName + " is not in " + api.Name + " " + api.Version);
            }
        }

        private void CheckTypeHandle(string user, EntityHandle handle, string role)
        {
            if (handle.Kind == HandleKind.TypeSpecification)
            {
                var spec = _md.GetTypeSpecification((TypeSpecificationHandle)handle);
                Decode(user, role, p => spec.DecodeSignature(p, null));
            }
        }

        private void Decode(string member, string where, Action<ProblemProvider> decode)
        {
            var provider = new ProblemProvider(this);
            decode(provider);
            foreach (string problem in provider.Problems.Distinct())
            {
                Add(member, problem + " (" + where + ")");
            }
        }

        private void Add(string member, string problem)
        {
            var finding = new IlFinding(member, problem);
            if (!_findings.Contains(finding))
            {
                _findings.Add(finding);
            }
        }

        private string User(EntityHandle handle) =>
            _firstUser.TryGetValue(handle, out var user) ? user : "metadata " + MetadataTokens.GetToken(handle).ToString("X8");

        private ReferenceApi? Api(TypeReferenceHandle handle)
        {
            var scope = Outermost(handle);
            if (scope.Kind != HandleKind.AssemblyReference)
            {
                return null;
            }

            string name = _md.GetString(_md.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
            return references.GetValueOrDefault(name);
        }

        private EntityHandle Outermost(TypeReferenceHandle handle)
        {
            var scope = _md.GetTypeReference(handle).ResolutionScope;
            while (scope.Kind == HandleKind.TypeReference)
            {
                scope = _md.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
            }

            return scope;
        }

        internal string FullName(TypeReferenceHandle handle)
        {
            var type = _md.GetTypeReference(handle);
            string name = _md.GetString(type.Name);
            if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                return FullName((TypeReferenceHandle)type.ResolutionScope) + "/" + name;
            }

            string ns = _md.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        internal string Name(TypeDefinitionHandle handle)
        {
            var type = _md.GetTypeDefinition(handle);
            string name = _md.GetString(type.Name);
            var declaring = type.GetDeclaringType();
            if (!declaring.IsNil)
            {
                return Name(declaring) + "/" + name;
            }

            string ns = _md.GetString(type.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        private string MethodName(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.MethodDefinition => _md.GetString(_md.GetMethodDefinition((MethodDefinitionHandle)handle).Name),
            HandleKind.MemberReference => _md.GetString(_md.GetMemberReference((MemberReferenceHandle)handle).Name),
            _ => "?",
        };

        internal string TypeName(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => Name((TypeDefinitionHandle)handle),
            HandleKind.TypeReference => FullName((TypeReferenceHandle)handle),
            _ => "typespec",
        };
    }

    /// <summary>Names the types in a signature and records the constructs nanoFramework 1.x lacks.</summary>
    private sealed class ProblemProvider(Checker checker) : ISignatureTypeProvider<string, object?>
    {
        public List<string> Problems { get; } = [];

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        {
            string name = genericType + "<" + string.Join(",", typeArguments) + ">";
            Problems.Add("generic instantiation " + name);
            return name;
        }

        public string GetArrayType(string elementType, ArrayShape shape)
        {
            Problems.Add("multi-dimensional array " + elementType + "[" + new string(',', shape.Rank - 1) + "]");
            return elementType + "[" + new string(',', shape.Rank - 1) + "]";
        }

        public string GetGenericMethodParameter(object? genericContext, int index)
        {
            Problems.Add("generic method parameter");
            return "!!" + index;
        }

        public string GetGenericTypeParameter(object? genericContext, int index)
        {
            Problems.Add("generic type parameter");
            return "!" + index;
        }

        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType + " pinned";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetFunctionPointerType(MethodSignature<string> signature)
        {
            Problems.Add("function pointer");
            return "fnptr";
        }

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => checker.Name(handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => checker.FullName(handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }

    /// <summary>The metadata tokens an IL body refers to (calls, fields, types, ldtoken).</summary>
    private static IEnumerable<EntityHandle> Tokens(BlobReader il)
    {
        var found = new List<EntityHandle>();
        while (il.RemainingBytes > 0)
        {
            int value = il.ReadByte();
            if (value == 0xFE)
            {
                value = 0xFE00 | il.ReadByte();
            }

            var operand = OperandTypes.TryGetValue((short)value, out var type) ? type : OperandType.InlineNone;
            switch (operand)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    found.Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                    break;
                case OperandType.InlineSwitch:
                    il.Offset += 4 * il.ReadInt32();
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget:
                case OperandType.InlineI:
                case OperandType.InlineSig:
                case OperandType.InlineString:
                case OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OperandType> OperandTypes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value, op => op.OperandType);

    /// <summary>The public types and member names of one reference assembly.</summary>
    private sealed record ReferenceApi(string Name, Version Version, Dictionary<string, HashSet<string>> Types)
    {
        public static ReferenceApi Load(string path)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            var assembly = md.GetAssemblyDefinition();
            var types = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var handle in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(handle);
                var members = new HashSet<string>(StringComparer.Ordinal);
                foreach (var m in type.GetMethods())
                {
                    members.Add(md.GetString(md.GetMethodDefinition(m).Name));
                }

                foreach (var f in type.GetFields())
                {
                    members.Add(md.GetString(md.GetFieldDefinition(f).Name));
                }

                types[TypeName(md, handle)] = members;
            }

            return new ReferenceApi(md.GetString(assembly.Name), assembly.Version, types);
        }

        private static string TypeName(MetadataReader md, TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            if (!declaring.IsNil)
            {
                return TypeName(md, declaring) + "/" + md.GetString(type.Name);
            }

            string ns = md.GetString(type.Namespace);
            return ns.Length == 0 ? md.GetString(type.Name) : ns + "." + md.GetString(type.Name);
        }
    }
}
