// A Neo4j 5.26 DBMS for kpgraph's tests, embedded in one JVM with its Bolt connector on.
//
//   java --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
//        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED -cp 'deps/*' Launcher.java HOME PORT
//
// HOME holds neo4j.conf (written by the pytest fixture) and the store. Bolt listens on
// 127.0.0.1:PORT. Prints "KPGRAPH-NEO4J READY <port>" once the default database is up.
// Stops on SIGTERM, or when its standard input closes (the test session died).
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(home.resolve("neo4j.conf"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));
        var db = dbms.database("neo4j");
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            System.err.println("KPGRAPH-NEO4J FAILED database not available");
            System.exit(1);
        }
        System.out.println("KPGRAPH-NEO4J READY " + port);
        System.out.flush();
        while (System.in.read() != -1) {
            // keep running until the parent closes our stdin
        }
        System.exit(0);
    }
}
