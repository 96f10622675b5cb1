import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Run by the {@code ./kyu} launcher (docs/cli.md, "Start time") on JDK 24 and newer, once per build of the
 * jar, as a source-file program: {@code java ClassFileUpgrade.java JAR OUT}. Copies the jar's class files
 * older than Java 6 (picocli's, compiled for Java 5) into OUT as Java 8 class files with stack maps,
 * bytecode unchanged. The JVM verifies class files of Java 5 and older with the slow inferring verifier,
 * and its AOT cache cannot hold them at all; put before the jar on the class path, these copies are
 * verified the fast way and cached like every other class. Exits non-zero, writing nothing, when a class
 * cannot be rewritten or a rewritten class would not verify, so the launcher keeps the jar alone.
 */
public final class ClassFileUpgrade {
    /** The first class file version the type-checking verifier (stack maps) serves. */
    private static final int JAVA_6 = 50;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java ClassFileUpgrade.java JAR OUT");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Map<String, byte[]> old = new LinkedHashMap<>();
        try (var zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                if (!e.getName().endsWith(".class") || e.getName().startsWith("META-INF/")) continue;
                byte[] bytes = zip.getInputStream(e).readAllBytes();
                int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
                if (major < JAVA_6) old.put(e.getName(), bytes);
            }
        }
        // Stack maps name the common supertype where control flow merges: the jar's own classes are looked
        // up in the jar, the JDK's in the running JDK.
        try (var loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            var resolver =
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader));
            var cf = ClassFile.of(
                    ClassFile.ClassHierarchyResolverOption.of(resolver), ClassFile.StackMapsOption.GENERATE_STACK_MAPS);
            Path tmp = out.resolveSibling(
                    out.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            try {
                try (OutputStream os = Files.newOutputStream(tmp);
                        var zip = new ZipOutputStream(os)) {
                    for (var e : old.entrySet()) {
                        ClassModel model = cf.parse(e.getValue());
                        // Every method body is rebuilt (unchanged), which is what makes the stack maps.
                        byte[] upgraded = cf.transformClass(
                                model,
                                ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                        .andThen(ClassTransform.endHandler(b -> b.withVersion(52, 0))));
                        var errors = cf.verify(upgraded);
                        if (!errors.isEmpty())
                            throw new IllegalStateException(e.getKey() + " would not verify: "
                                    + errors.get(0).getMessage());
                        zip.putNextEntry(new ZipEntry(e.getKey()));
                        zip.write(upgraded);
                        zip.closeEntry();
                    }
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
